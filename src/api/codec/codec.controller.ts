import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthenticatedBy, Roles } from '../auth/roles.decorator';
import { CodecAuthGuard } from './codec-auth.guard';
import { CodecRequestDto } from './codec.dto';
import { CodecService } from './codec.service';

/**
 * A Temporal codec server: the Web UI (its "Codec Server" setting) and the CLI
 * (`--codec-endpoint .../codec --codec-auth "Bearer <key>"`) send encrypted payloads here
 * and show what comes back. Only operators and admins may read histories in the clear, and,
 * with `CODEC_OIDC_ISSUER` set, Web UI users whose access token `CODEC_OIDC_ALLOWED` admits.
 */
@ApiTags('codec')
@Controller('codec')
@Roles('operator')
@AuthenticatedBy(CodecAuthGuard)
@ApiUnauthorizedResponse({ description: 'no key or access token, or not a valid one (expired, wrong issuer or audience, bad signature)' })
@ApiForbiddenResponse({ description: 'the key is not an operator or admin key, or the access token matches no CODEC_OIDC_ALLOWED condition' })
@ApiServiceUnavailableResponse({ description: "the identity provider's keys cannot be read, so an access token cannot be verified" })
@ApiNotFoundResponse({ description: 'payload encryption is off (PAYLOAD_ENCRYPTION_KEYS unset)' })
export class CodecController {
  constructor(private readonly codec: CodecService) {}

  @Post('decode')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the payloads decrypted; payloads that were not encrypted come back unchanged' })
  @ApiBadRequestResponse({ description: 'a payload was altered, or was encrypted with a key that is not configured' })
  decode(@Body() body: CodecRequestDto) {
    return this.codec.decode(body.payloads);
  }

  @Post('encode')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the payloads encrypted with the first configured key' })
  encode(@Body() body: CodecRequestDto) {
    return this.codec.encode(body.payloads);
  }
}
