import { ForbiddenException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { answerVerifyChallenge, verifyTwilioSignature, verifyWhatsAppSignature } from '../../channels';
import type { AppConfig } from '../../config';

/**
 * How the provider webhooks prove who sent them: Meta's verify token and body signature,
 * Twilio's signature over the public URL and the form fields. Each refuses with the HTTP
 * error the provider (or whoever is probing) should see.
 */

type ChannelsConfig = AppConfig['channels'];

/** Meta's subscription check: the `hub.challenge` to echo when the verify token matches. */
export function whatsappChallenge(channels: ChannelsConfig, query: Record<string, unknown>): string {
  const token = channels.whatsapp.verifyToken;
  const challenge = token ? answerVerifyChallenge(query, token) : undefined;
  if (challenge === undefined) throw new ForbiddenException('hub.verify_token: does not match (or WHATSAPP_VERIFY_TOKEN is not set)');
  return challenge;
}

/** `X-Hub-Signature-256` must sign the raw body with the app secret. */
export function verifyWhatsAppDelivery(channels: ChannelsConfig, rawBody: Buffer | undefined, signature: string | undefined): void {
  const secret = channels.whatsapp.appSecret;
  // Unsigned deliveries are never accepted: without the secret, nothing can be verified.
  if (!secret) throw new ServiceUnavailableException('WHATSAPP_APP_SECRET is not configured; deliveries cannot be verified');
  if (!rawBody || !verifyWhatsAppSignature(rawBody, signature, secret)) {
    throw new UnauthorizedException('X-Hub-Signature-256: missing or does not match the body');
  }
}

/**
 * `X-Twilio-Signature` must sign the URL Twilio called (`PUBLIC_BASE_URL` + the path) and
 * the form fields; returns the fields, as the strings that were signed.
 */
export function verifiedTwilioForm(channels: ChannelsConfig, form: unknown, originalUrl: string, signature: string | undefined): Record<string, string> {
  const { authToken } = channels.twilio;
  const base = channels.publicBaseUrl;
  if (!authToken || !base) throw new ServiceUnavailableException('TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL must be configured to verify Twilio deliveries');
  const params = Object.fromEntries(Object.entries((form ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  const url = `${base.replace(/\/+$/, '')}${originalUrl}`;
  if (!verifyTwilioSignature(url, params, signature, authToken)) {
    throw new UnauthorizedException('X-Twilio-Signature: missing or does not match');
  }
  return params;
}
