import {
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../../config';
import { findApiKey, roleAllows, type ApiRole } from '../../config/api-keys';
import { presentedKey } from '../auth/api-key.guard';
import { ROLES_KEY } from '../auth/roles.decorator';
import { APP_CONFIG } from '../common/tokens';
import { AccessTokenRejected, CodecOidcVerifier, IdentityProviderUnavailable, looksLikeJwt } from './codec-oidc.verifier';

/**
 * Who may call `/codec`: an API key with the route's role (operator or admin), exactly as
 * everywhere else, or, when `CODEC_OIDC_ISSUER` is set, the Temporal Web UI's user access
 * token (`Authorization: Bearer <JWT>`, "Pass the user access token") from that identity
 * provider, allowed by `CODEC_OIDC_ALLOWED`. Tokens are accepted on these routes only: the
 * global ApiKeyGuard keeps refusing them everywhere else. Query-string keys are already
 * refused by the global guard, which runs first.
 */
@Injectable()
export class CodecAuthGuard implements CanActivate {
  private readonly logger = new Logger('CodecAuthGuard');

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly oidc: CodecOidcVerifier,
    private readonly requestLog: PinoLogger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // No keys: the whole API is open (development), this endpoint with it.
    if (this.config.apiKeys.length === 0) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const presented = presentedKey(req);
    const accepts = this.oidc.enabled ? 'an API key or the Web UI user access token' : 'an API key';
    if (!presented) throw new UnauthorizedException(`X-API-Key: missing (or send Authorization: Bearer <${this.oidc.enabled ? 'key or access token' : 'key'}>)`);

    const key = findApiKey(this.config.apiKeys, presented);
    if (key) {
      const needed = this.reflector.getAllAndOverride<ApiRole[]>(ROLES_KEY, [context.getHandler(), context.getClass()]) ?? [];
      if (!roleAllows(key.role, needed)) throw new ForbiddenException(`role ${key.role} may not call ${req.method} ${req.route?.path ?? req.path}`);
      return true;
    }
    // A token comes in Authorization only; a wrong X-API-Key is a wrong key.
    const viaApiKeyHeader = typeof req.headers['x-api-key'] === 'string' && req.headers['x-api-key'] !== '';
    if (!this.oidc.enabled || viaApiKeyHeader || !looksLikeJwt(presented)) throw new UnauthorizedException(`X-API-Key: not a valid key (this endpoint accepts ${accepts})`);

    let claims;
    try {
      claims = await this.oidc.verify(presented);
    } catch (err) {
      if (err instanceof AccessTokenRejected) throw new UnauthorizedException(`Authorization: the access token is not accepted: ${err.message}`);
      if (err instanceof IdentityProviderUnavailable) {
        this.logger.warn(`cannot verify a Web UI access token: ${err.message}`);
        throw new ServiceUnavailableException('cannot verify the access token now: the identity provider (CODEC_OIDC_ISSUER) does not answer');
      }
      throw err;
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
    // Who read histories in the clear, on the request's log line.
    this.requestLog.assign({ codecSubject: subject ?? null });
    if (!this.oidc.allows(claims)) throw new ForbiddenException('the signed-in user may not decode payloads: the access token matches no CODEC_OIDC_ALLOWED condition');
    return true;
  }
}
