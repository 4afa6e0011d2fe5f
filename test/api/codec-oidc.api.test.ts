import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';
import { ENCRYPTED_ENCODING, payloadCodecFor } from '../../src/codec';
import { postJson, startTestApi } from '../helpers/api';
import { useApiHarness } from '../helpers/harness';
import { LoopbackHttpServer } from '../helpers/loopback-http-server';

const KEYS = {
  admin: 'admin-key-oidc-0123456789abcdef',
  operator: 'operator-key-oidc-0123456789abcdef',
  ingest: 'ingest-key-oidc-0123456789abcdef',
};
const API_KEYS = Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(',');
const ENCRYPTION_KEYS = `k1:${randomBytes(32).toString('base64')}`;
const UI_ORIGIN = 'http://localhost:8233';
const AUDIENCE = 'temporal-ui';
const ALLOWED = 'groups=temporal-decoders,email=*@ops.example.com';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The Web UI's identity provider, which the tests cannot reach: OIDC discovery under a realm
 * path (as Keycloak serves it) and a JSON Web Key Set with one RS256 key, counting requests
 * so the tests can see the key set is cached.
 */
class IdentityProvider extends LoopbackHttpServer {
  privateKey!: KeyLike;
  publicJwk!: JWK;
  readonly kid = `kid-${randomUUID().slice(0, 8)}`;
  readonly requests = { discovery: 0, jwks: 0 };

  get issuer(): string {
    return `${this.origin}/realms/switchboard`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/protocol/openid-connect/certs`;
  }

  async generateKey(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.privateKey = privateKey;
    this.publicJwk = { ...(await exportJWK(publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', this.origin).pathname;
    if (path === '/realms/switchboard/.well-known/openid-configuration') {
      this.requests.discovery += 1;
      return json({ issuer: this.issuer, jwks_uri: this.jwksUrl, authorization_endpoint: `${this.issuer}/auth`, token_endpoint: `${this.issuer}/token` });
    }
    if (path === '/realms/switchboard/protocol/openid-connect/certs') {
      this.requests.jwks += 1;
      return json({ keys: [this.publicJwk] });
    }
    res.writeHead(404).end();
  }
}

describe('codec endpoint: the Temporal Web UI user access token (OIDC) besides API keys', () => {
  const idp = new IdentityProvider();
  beforeAll(async () => {
    await idp.generateKey();
    await idp.start();
  });
  afterAll(() => idp.stop());

  const h = useApiHarness({
    name: 'api-codec-oidc',
    env: () => ({
      API_KEYS,
      PAYLOAD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
      CODEC_OIDC_ISSUER: idp.issuer,
      CODEC_OIDC_AUDIENCE: AUDIENCE,
      CODEC_OIDC_ALLOWED: ALLOWED,
    }),
  });

  interface TokenOptions {
    claims?: JWTPayload;
    issuer?: string;
    audience?: string;
    expiresAt?: number;
    key?: KeyLike;
    kid?: string;
  }
  const now = () => Math.floor(Date.now() / 1000);
  const token = (o: TokenOptions = {}) =>
    new SignJWT({ groups: ['staff', 'temporal-decoders'], ...o.claims })
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? idp.kid, typ: 'JWT' })
      .setIssuer(o.issuer ?? idp.issuer)
      .setAudience(o.audience ?? AUDIENCE)
      .setSubject('user-7f3a')
      .setIssuedAt(now() - 60)
      .setExpirationTime(o.expiresAt ?? now() + 300)
      .sign(o.key ?? idp.privateKey);

  const marker = `quokka-${randomUUID().slice(0, 8)}`;
  const plain = [
    { metadata: { encoding: 'json/plain' }, data: JSON.stringify({ chatId: '85291234567@c.us', body: `my reference is ${marker}` }) },
    { metadata: { encoding: 'json/plain' }, data: JSON.stringify(`Available times: Monday ${marker}`) },
  ];
  /** The payloads encrypted by the project's codec, in the codec server's JSON form. */
  let encrypted: Array<{ metadata: Record<string, string>; data: string }> = [];
  beforeAll(async () => {
    const codec = payloadCodecFor({ payloadEncryptionKeys: ENCRYPTION_KEYS })!;
    const encoded = await codec.encode(plain.map((p) => ({ metadata: { encoding: Buffer.from(p.metadata.encoding) }, data: Buffer.from(p.data) })));
    encrypted = encoded.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v as Uint8Array).toString('base64')])),
      data: Buffer.from(p.data!).toString('base64'),
    }));
    expect(unb64(encrypted[0].metadata.encoding)).toBe(ENCRYPTED_ENCODING);
  });

  const decode = (headers: Record<string, string>, payloads: unknown[] = encrypted) => postJson(`${h.api.baseUrl}/codec/decode`, { payloads }, { 'x-namespace': 'default', ...headers });
  const expectRefused = async (res: { status: number; body: any }, status: number, message: RegExp, presented?: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status });
    expect(res.body.message).toMatch(message);
    if (presented) expect(JSON.stringify(res.body)).not.toContain(presented.split('.')[1]);
  };

  it('decodes encrypted payloads for a user in the allowed group, as the Web UI sends the request', async () => {
    const res = await fetch(`${h.api.baseUrl}/codec/decode`, {
      method: 'POST',
      headers: { origin: UI_ORIGIN, 'content-type': 'application/json', 'x-namespace': 'default', ...bearer(await token()) },
      body: JSON.stringify({ payloads: encrypted }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    expect(body.payloads.map((p) => ({ encoding: unb64(p.metadata.encoding), data: unb64(p.data) }))).toEqual(plain.map((p) => ({ encoding: p.metadata.encoding, data: p.data })));
  });

  it('encodes for such a user too, and what it encodes decodes', async () => {
    const t = await token();
    const enc = await postJson(`${h.api.baseUrl}/codec/encode`, { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64(`"${marker}"`) }] }, bearer(t));
    expect(enc.status).toBe(200);
    expect(unb64(enc.body.payloads[0].metadata.encoding)).toBe(ENCRYPTED_ENCODING);
    const dec = await decode(bearer(t), enc.body.payloads);
    expect(unb64(dec.body.payloads[0].data)).toBe(`"${marker}"`);
  });

  it('allows by any CODEC_OIDC_ALLOWED alternative: a verified address at the allowed domain', async () => {
    const res = await decode(bearer(await token({ claims: { groups: ['staff'], email: 'ana@ops.example.com', email_verified: true } })));
    expect(res.status).toBe(200);
    // An address the provider has not verified proves nothing.
    const unverified = await token({ claims: { groups: ['staff'], email: 'ana@ops.example.com', email_verified: false } });
    await expectRefused(await decode(bearer(unverified)), 403, /matches no CODEC_OIDC_ALLOWED condition/, unverified);
  });

  it('refuses a valid token whose claims match no CODEC_OIDC_ALLOWED condition with 403', async () => {
    const outsider = await token({ claims: { groups: ['staff', 'temporal-decoders-2'], email: 'eve@example.com', email_verified: true } });
    await expectRefused(await decode(bearer(outsider)), 403, /^the signed-in user may not decode payloads: the access token matches no CODEC_OIDC_ALLOWED condition$/, outsider);
    const noGroups = await token({ claims: { groups: undefined } });
    await expectRefused(await decode(bearer(noGroups)), 403, /CODEC_OIDC_ALLOWED/, noGroups);
  });

  it('refuses an expired token with 401, naming why and never echoing the token', async () => {
    const expired = await token({ expiresAt: now() - 600 });
    await expectRefused(await decode(bearer(expired)), 401, /^Authorization: the access token is not accepted: it has expired$/, expired);
  });

  it('refuses a token from another issuer with 401', async () => {
    const foreign = await token({ issuer: `${idp.origin}/realms/other` });
    await expectRefused(await decode(bearer(foreign)), 401, /its issuer is not CODEC_OIDC_ISSUER/, foreign);
  });

  it('refuses a token for another audience with 401', async () => {
    const other = await token({ audience: 'some-other-app' });
    await expectRefused(await decode(bearer(other)), 401, /its audience is not CODEC_OIDC_AUDIENCE/, other);
  });

  it('refuses a token signed by another key with 401, whether it claims the provider key id or another one', async () => {
    const { privateKey: forger } = await generateKeyPair('RS256');
    const sameKid = await token({ key: forger });
    await expectRefused(await decode(bearer(sameKid)), 401, /its signature does not verify/, sameKid);
    const otherKid = await token({ key: forger, kid: 'kid-forged' });
    await expectRefused(await decode(bearer(otherKid)), 401, /not signed by a key the identity provider publishes/, otherKid);
    // Not a signed token at all: an unsigned JWT (alg none) is just not a valid credential.
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: idp.issuer, groups: ['temporal-decoders'] })).toString('base64url')}.`;
    await expectRefused(await decode(bearer(unsigned)), 401, /not a valid key/);
  });

  it('accepts tokens on /codec only: every other route still wants an API key', async () => {
    const t = await token();
    const tasks = await fetch(`${h.api.baseUrl}/api/tasks`, { headers: bearer(t) });
    expect(tasks.status).toBe(401);
    expect(((await tasks.json()) as { message: string }).message).toBe('X-API-Key: not a valid key');
    const message = await postJson(`${h.api.baseUrl}/api/messages`, { chatId: 'oidc@c.us', id: `oidc-${randomUUID()}`, body: 'hello' }, bearer(t));
    expect(message.status).toBe(401);
    // A token in X-API-Key is a wrong key, on /codec too: tokens come as Authorization: Bearer.
    await expectRefused(await decode({ 'x-api-key': t }), 401, /X-API-Key: not a valid key/, t);
  });

  it('keeps API keys working on /codec: operator and admin decode, ingest is 403, a wrong key or none 401', async () => {
    for (const key of [KEYS.operator, KEYS.admin]) {
      const res = await decode(bearer(key));
      expect(res.status).toBe(200);
      expect(unb64(res.body.payloads[1].data)).toBe(plain[1].data);
    }
    expect((await decode({ 'x-api-key': KEYS.operator })).status).toBe(200);
    await expectRefused(await decode(bearer(KEYS.ingest)), 403, /role ingest may not call POST/);
    await expectRefused(await decode(bearer('not-a-real-key-at-all-000')), 401, /not a valid key \(this endpoint accepts an API key or the Web UI user access token\)/);
    await expectRefused(await decode({}), 401, /missing/);
  });

  it('still answers the Web UI preflight without credentials, allowing the Authorization header', async () => {
    const res = await fetch(`${h.api.baseUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect((res.headers.get('access-control-allow-headers') ?? '').toLowerCase()).toContain('authorization');
  });

  it('discovers the key set once and keeps it (refetching only for a key id it has not seen)', async () => {
    for (let i = 0; i < 5; i++) expect((await decode(bearer(await token()), [])).status).toBe(200);
    expect(idp.requests.discovery).toBe(1);
    expect(idp.requests.jwks).toBeGreaterThanOrEqual(1);
    expect(idp.requests.jwks).toBeLessThanOrEqual(2);
  });

  it('with CODEC_OIDC_JWKS_URL and no CODEC_OIDC_ALLOWED, any valid token from the issuer may decode; an unreachable provider is a 503', async () => {
    const open = await startTestApi({
      address: h.ctx.address,
      taskQueue: h.taskQueue,
      database: h.database,
      env: { API_KEYS, PAYLOAD_ENCRYPTION_KEYS: ENCRYPTION_KEYS, CODEC_OIDC_ISSUER: idp.issuer, CODEC_OIDC_JWKS_URL: idp.jwksUrl },
    });
    // The provider's address, with nothing listening there any more.
    const gone = new IdentityProvider();
    await gone.start();
    const goneIssuer = gone.issuer;
    await gone.stop();
    const down = await startTestApi({
      address: h.ctx.address,
      taskQueue: h.taskQueue,
      database: h.database,
      env: { API_KEYS, PAYLOAD_ENCRYPTION_KEYS: ENCRYPTION_KEYS, CODEC_OIDC_ISSUER: goneIssuer },
    });
    try {
      const discoveries = idp.requests.discovery;
      const anyone = await token({ claims: { groups: [] }, audience: 'whatever-client' });
      const res = await postJson(`${open.baseUrl}/codec/decode`, { payloads: encrypted }, bearer(anyone));
      expect(res.status).toBe(200);
      expect(unb64(res.body.payloads[0].data)).toBe(plain[0].data);
      expect(idp.requests.discovery).toBe(discoveries);
      await expectRefused(await postJson(`${open.baseUrl}/codec/decode`, { payloads: [] }, bearer(await token({ expiresAt: now() - 600 }))), 401, /expired/);

      const t = await token({ issuer: goneIssuer });
      await expectRefused(await postJson(`${down.baseUrl}/codec/decode`, { payloads: [] }, bearer(t)), 503, /identity provider \(CODEC_OIDC_ISSUER\) does not answer/, t);
      // API keys do not depend on the provider.
      expect((await postJson(`${down.baseUrl}/codec/decode`, { payloads: [] }, bearer(KEYS.operator))).status).toBe(200);
    } finally {
      await open.close();
      await down.close();
    }
  });
});
