import { createHash } from 'node:crypto';
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { AppConfig } from '../../config';
import { findApiKey } from '../../config/api-keys';
import { presentedKey } from '../auth/api-key.guard';

/** Every limit counts requests per minute (config: `RATE_LIMIT_*_PER_MINUTE`). */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Probes and scrapes: a monitor polling them must never be told to back off. */
const UNLIMITED_PREFIXES = ['/health', '/metrics'];

const requestOf = (context: ExecutionContext) => context.switchToHttp().getRequest<Request>();
const isUnlimited = (req: Request) => UNLIMITED_PREFIXES.some((p) => req.path === p || req.path.startsWith(`${p}/`));
const webhookProvider = (req: Request) => /^\/webhooks\/([^/]+)/.exec(req.path)?.[1];
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);

/** The chat a message ingestion request is for, or undefined for every other request. */
function chatOf(req: Request): string | undefined {
  if (req.method !== 'POST' || (req.route as { path?: unknown } | undefined)?.path !== '/api/messages') return undefined;
  const body = req.body as { chatId?: unknown; channel?: unknown } | undefined;
  if (typeof body?.chatId !== 'string' || body.chatId.trim() === '') return undefined;
  const channel = typeof body.channel === 'string' ? body.channel : 'whatsapp';
  return `${channel}:${body.chatId.trim()}`;
}

/**
 * The three limits, each counted in its own bucket (`<name>:<tracker>`, across routes):
 * - `key`: every API request, per API key (per client address when the API is open or the
 *   key is not valid, so guessing keys is limited too);
 * - `chat`: message ingestion, per chat across keys, so one noisy conversation cannot start
 *   a workflow storm;
 * - `webhook`: provider deliveries, per provider and sending address, with a limit of their
 *   own and no per-chat limit, so a provider's retries of a busy chat are not dropped.
 * Trackers start with what they count (`key:`, `ip:`, `chat:`, `webhook:`); the 429 says so.
 */
export function throttlerOptions(config: AppConfig): ThrottlerModuleOptions {
  const { perKeyPerMinute, perChatPerMinute, webhookPerMinute } = config.rateLimits;
  return {
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    throttlers: [
      {
        name: 'key',
        ttl: RATE_LIMIT_WINDOW_MS,
        limit: perKeyPerMinute,
        skipIf: (context) => {
          const req = requestOf(context);
          return isUnlimited(req) || webhookProvider(req) !== undefined;
        },
        getTracker: (req) => {
          const presented = presentedKey(req as Request);
          const key = presented ? findApiKey(config.apiKeys, presented) : undefined;
          return key ? `key:${key.hash.toString('hex').slice(0, 32)}` : `ip:${(req as Request).ip ?? 'unknown'}`;
        },
      },
      {
        name: 'chat',
        ttl: RATE_LIMIT_WINDOW_MS,
        limit: perChatPerMinute,
        skipIf: (context) => chatOf(requestOf(context)) === undefined,
        getTracker: (req) => `chat:${digest(chatOf(req as Request) ?? '')}`,
      },
      {
        name: 'webhook',
        ttl: RATE_LIMIT_WINDOW_MS,
        limit: webhookPerMinute,
        skipIf: (context) => webhookProvider(requestOf(context)) === undefined,
        getTracker: (req) => `webhook:${webhookProvider(req as Request)}:${(req as Request).ip ?? 'unknown'}`,
      },
    ],
  };
}

/** What a tracker counts, in words, for the 429's message. */
function describeLimit(detail: ThrottlerLimitDetail): string {
  const [kind, provider] = detail.tracker.split(':');
  switch (kind) {
    case 'key':
      return `more than ${detail.limit} requests per minute with this API key`;
    case 'ip':
      return `more than ${detail.limit} requests per minute from this address`;
    case 'chat':
      return `more than ${detail.limit} messages per minute for this chat`;
    default:
      return `more than ${detail.limit} ${provider} webhook deliveries per minute from this address`;
  }
}

/**
 * `@nestjs/throttler`'s guard with answers clients can act on: a plain `Retry-After`
 * (seconds) beside the per-limit headers, and a message naming the limit that was hit.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
    throw new ThrottlerException(`rate limit: ${describeLimit(detail)}; retry after ${retryAfter}s`);
  }
}
