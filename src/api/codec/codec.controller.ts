import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { CodecRequestDto } from './codec.dto';
import { CodecService } from './codec.service';

/**
 * A Temporal codec server: the Web UI (its "Codec Server" setting) and the CLI
 * (`--codec-endpoint .../codec --codec-auth "Bearer <key>"`) send encrypted payloads here
 * and show what comes back. Only operators and admins may read histories in the clear.
 */
@ApiTags('codec')
@Controller('codec')
@Roles('operator')
@ApiUnauthorizedResponse({ description: 'no key, or not a valid one' })
@ApiForbiddenResponse({ description: 'the key is not an operator or admin key' })
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
