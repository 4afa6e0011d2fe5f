import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AppConfig, ClaimCondition, CodecOidcConfig } from '../../config';
import { APP_CONFIG } from '../common/tokens';

/** Signatures an identity provider's published keys can make; never a shared secret or `none`. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const DISCOVERY_TIMEOUT_MS = 5000;

/** The token is not one to accept (401): why, in words that never quote the token. */
export class AccessTokenRejected extends Error {
  override name = 'AccessTokenRejected';
}

/** The identity provider's keys could not be read (503): not the caller's fault. */
export class IdentityProviderUnavailable extends Error {
  override name = 'IdentityProviderUnavailable';
}

/** Three base64url segments: what a JWS compact token looks like (an API key never does). */
export const looksLikeJwt = (value: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);

function rejection(err: unknown): AccessTokenRejected | undefined {
  if (err instanceof errors.JWTExpired) return new AccessTokenRejected('it has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    const names: Record<string, string> = { iss: 'its issuer is not CODEC_OIDC_ISSUER', aud: 'its audience is not CODEC_OIDC_AUDIENCE', nbf: 'it is not valid yet' };
    return new AccessTokenRejected(err.reason === 'missing' ? `it has no "${err.claim}" claim` : (names[err.claim] ?? `its "${err.claim}" claim is not acceptable`));
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AccessTokenRejected('its signature does not verify');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return new AccessTokenRejected('it is not signed by a key the identity provider publishes');
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return new AccessTokenRejected('its signature algorithm is not accepted');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return new AccessTokenRejected('it is not a well-formed signed JWT');
  return undefined;
}

/** The value of `claim`: a top-level claim by that exact name (`https://example.com/roles`), else a dotted path (`realm_access.roles`). */
function claimValue(payload: JWTPayload, claim: string): unknown {
  if (Object.hasOwn(payload, claim)) return payload[claim];
  let node: unknown = payload;
  for (const part of claim.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(value);
}

/** True when the token's claims meet `condition`: a string, one element of a list, or one word of `scope`. */
export function claimMatches(payload: JWTPayload, condition: ClaimCondition): boolean {
  const value = claimValue(payload, condition.claim);
  // An address the user typed and the provider has not verified proves nothing about them.
  if (condition.claim === 'email' && payload.email_verified === false) return false;
  const values = Array.isArray(value) ? value : condition.claim === 'scope' && typeof value === 'string' ? value.split(/\s+/) : [value];
  return values.some((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && globMatches(condition.pattern, String(v)));
}

/**
 * Verifies the Web UI's OIDC access tokens for `/codec` (`CODEC_OIDC_*`): signature against
 * the provider's published keys (fetched once, cached and refreshed by jose when a new key id
 * appears), issuer, audience when configured, expiry; then `CODEC_OIDC_ALLOWED`.
 */
@Injectable()
export class CodecOidcVerifier {
  private readonly oidc: CodecOidcConfig | undefined;
  private keySet: Promise<JWTVerifyGetKey> | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.oidc = config.codecOidc;
  }

  get enabled(): boolean {
    return this.oidc !== undefined;
  }

  /** The token's claims once it verifies; AccessTokenRejected or IdentityProviderUnavailable otherwise. */
  async verify(token: string): Promise<JWTPayload> {
    const oidc = this.requireOidc();
    const keys = await this.keys(oidc);
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: oidc.issuer,
        audience: oidc.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: 30,
      });
      return payload;
    } catch (err) {
      const rejected = rejection(err);
      if (rejected) throw rejected;
      throw new IdentityProviderUnavailable(`the identity provider's keys could not be read: ${(err as Error).message}`);
    }
  }

  /** True when any `CODEC_OIDC_ALLOWED` alternative holds (always, when it is unset). */
  allows(payload: JWTPayload): boolean {
    const { allowed } = this.requireOidc();
    return allowed.length === 0 || allowed.some((condition) => claimMatches(payload, condition));
  }

  private requireOidc(): CodecOidcConfig {
    if (!this.oidc) throw new Error('CODEC_OIDC_ISSUER is not set');
    return this.oidc;
  }

  /** The remote key set, its URL discovered once; a failed discovery is retried by the next request. */
  private keys(oidc: CodecOidcConfig): Promise<JWTVerifyGetKey> {
    if (!this.keySet) {
      const pending = (async () => createRemoteJWKSet(new URL(oidc.jwksUrl ?? (await discoverJwksUri(oidc.issuer)))))();
      this.keySet = pending;
      pending.catch(() => {
        if (this.keySet === pending) this.keySet = undefined;
      });
    }
    return this.keySet;
  }
}

/** `jwks_uri` from `<issuer>/.well-known/openid-configuration`, whose `issuer` must be ours (OIDC Discovery 4.3). */
async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let doc: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as typeof doc;
  } catch (err) {
    throw new IdentityProviderUnavailable(`${url}: ${(err as Error).message}`);
  }
  if (doc.issuer !== issuer) throw new IdentityProviderUnavailable(`${url} names issuer ${JSON.stringify(doc.issuer)}, not CODEC_OIDC_ISSUER ${issuer}`);
  if (typeof doc.jwks_uri !== 'string' || !/^https?:\/\//.test(doc.jwks_uri)) throw new IdentityProviderUnavailable(`${url} has no http(s) jwks_uri`);
  return doc.jwks_uri;
}
