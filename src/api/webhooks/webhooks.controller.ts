import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { RawBodyRequest } from '../common/json-body';
import { WebhooksService, type DeliverySummary } from './webhooks.service';
import { Public } from '../auth/roles.decorator';

/** An empty TwiML response: the reply goes out through the REST API, by the workflow. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Provider webhooks: authenticated by the provider's signature, not by an API key. */
@ApiTags('webhooks')
@Public()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** Meta's subscription check: echo `hub.challenge` when the verify token matches. */
  @Get('whatsapp')
  @ApiOkResponse({ description: 'the challenge, as text' })
  verify(@Query() query: Record<string, unknown>, @Res() res: Response): void {
    res.status(200).type('text/plain').send(this.webhooks.whatsappChallenge(query));
  }

  /** Signed Cloud API deliveries: every message in the batch, every status. */
  @Post('whatsapp')
  @HttpCode(200)
  @ApiOkResponse({ description: 'what the batch held and what was started' })
  whatsapp(@Req() req: RawBodyRequest, @Headers('x-hub-signature-256') signature: string | undefined, @Body() body: unknown): Promise<DeliverySummary> {
    return this.webhooks.whatsappDelivery({ rawBody: req.rawBody, signature, payload: body });
  }

  /** Twilio WhatsApp deliveries (form-encoded), signed over the public URL and the fields. */
  @Post('twilio')
  @ApiExcludeEndpoint()
  async twilio(@Req() req: RawBodyRequest, @Headers('x-twilio-signature') signature: string | undefined, @Res() res: Response): Promise<void> {
    await this.webhooks.twilioDelivery({ form: req.body, originalUrl: req.originalUrl, signature });
    res.status(200).type('text/xml').send(EMPTY_TWIML);
  }
}
