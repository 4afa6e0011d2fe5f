import { BadRequestException, ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AppConfig } from '../../config';
import { findApiKey, roleAllows, type ApiRole } from '../../config/api-keys';
import { APP_CONFIG } from '../common/tokens';
import { AUTH_DELEGATE_KEY, PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

/** Query parameters a client might put a key in; refused so keys never land in access logs. */
const KEY_QUERY_PARAMS = ['api_key', 'apikey', 'apiKey', 'key', 'token', 'access_token'];

/** The key a request presents, from `X-API-Key` or `Authorization: Bearer`. */
export function presentedKey(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  return undefined;
}

export function keyInQuery(req: Request): string | undefined {
  return KEY_QUERY_PARAMS.find((p) => p in (req.query ?? {}));
}

/**
 * API keys with roles, checked on every route that is not marked public. With no
 * `API_KEYS` configured the API is open (development), which the API says loudly at start.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const param = keyInQuery(req);
    if (param) throw new BadRequestException(`${param}: API keys are not accepted in the query string; send X-API-Key or Authorization: Bearer`);
    if (this.deferred(context)) return true;
    if (this.config.apiKeys.length === 0) return true;

    const presented = presentedKey(req);
    if (!presented) throw new UnauthorizedException('X-API-Key: missing (or send Authorization: Bearer <key>)');
    const key = findApiKey(this.config.apiKeys, presented);
    if (!key) throw new UnauthorizedException('X-API-Key: not a valid key');
    const needed = this.reflector.getAllAndOverride<ApiRole[]>(ROLES_KEY, targets) ?? [];
    if (!roleAllows(key.role, needed)) throw new ForbiddenException(`role ${key.role} may not call ${req.method} ${req.route?.path ?? req.path}`);
    return true;
  }

  /** True when the route is marked `@AuthenticatedBy(guard)` and that guard is attached to it. */
  private deferred(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const delegate = this.reflector.getAllAndOverride<unknown>(AUTH_DELEGATE_KEY, targets);
    if (delegate === undefined) return false;
    const attached = targets.flatMap((t) => this.reflector.get<unknown[] | undefined>(GUARDS_METADATA, t) ?? []);
    if (!attached.includes(delegate)) throw new Error(`route defers authentication to a guard it does not use: ${String((delegate as { name?: string }).name)}`);
    return true;
  }
}
