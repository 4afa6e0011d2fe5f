import { Body, Controller, ForbiddenException, Get, Headers, HttpCode, Inject, Post, Query, Req, Res, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { answerVerifyChallenge, verifyTwilioSignature, verifyWhatsAppSignature } from '../../channels';
import type { AppConfig } from '../../config';
import type { RawBodyRequest } from '../common/json-body';
import { APP_CONFIG } from '../common/tokens';
import { WebhooksService, type DeliverySummary } from './webhooks.service';
import { Public } from '../auth/roles.decorator';

/** Provider webhooks: authenticated by the provider's signature, not by an API key. */
@ApiTags('webhooks')
@Public()
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Meta's subscription check: echo `hub.challenge` when the verify token matches. */
  @Get('whatsapp')
  @ApiOkResponse({ description: 'the challenge, as text' })
  verify(@Query() query: Record<string, unknown>, @Res() res: Response): void {
    const token = this.config.channels.whatsapp.verifyToken;
    const challenge = token ? answerVerifyChallenge(query, token) : undefined;
    if (challenge === undefined) throw new ForbiddenException('hub.verify_token: does not match (or WHATSAPP_VERIFY_TOKEN is not set)');
    res.status(200).type('text/plain').send(challenge);
  }

  /** Signed Cloud API deliveries: every message in the batch, every status. */
  @Post('whatsapp')
  @HttpCode(200)
  @ApiOkResponse({ description: 'what the batch held and what was started' })
  whatsapp(@Req() req: RawBodyRequest, @Headers('x-hub-signature-256') signature: string | undefined, @Body() body: unknown): Promise<DeliverySummary> {
    const secret = this.config.channels.whatsapp.appSecret;
    // Unsigned deliveries are never accepted: without the secret, nothing can be verified.
    if (!secret) throw new ServiceUnavailableException('WHATSAPP_APP_SECRET is not configured; deliveries cannot be verified');
    if (!req.rawBody || !verifyWhatsAppSignature(req.rawBody, signature, secret)) {
      throw new UnauthorizedException('X-Hub-Signature-256: missing or does not match the body');
    }
    return this.webhooks.whatsappDelivery(body);
  }

  /** Twilio WhatsApp deliveries (form-encoded), signed over the public URL and the fields. */
  @Post('twilio')
  @ApiExcludeEndpoint()
  async twilio(@Req() req: RawBodyRequest, @Headers('x-twilio-signature') signature: string | undefined, @Res() res: Response): Promise<void> {
    const { authToken } = this.config.channels.twilio;
    const base = this.config.channels.publicBaseUrl;
    if (!authToken || !base) throw new ServiceUnavailableException('TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL must be configured to verify Twilio deliveries');
    const params = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const url = `${base.replace(/\/+$/, '')}${req.originalUrl}`;
    if (!verifyTwilioSignature(url, params, signature, authToken)) {
      throw new UnauthorizedException('X-Twilio-Signature: missing or does not match');
    }
    await this.webhooks.twilioDelivery(params);
    // An empty TwiML response: the reply goes out through the REST API, by the workflow.
    res.status(200).type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
  }
}
