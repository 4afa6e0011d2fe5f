import { createHash, timingSafeEqual } from 'node:crypto';

/** Roles a key can carry (README, "Configuration": `API_KEYS`): admin everything, operator the back office, ingest messages only. */
export const API_ROLES = ['admin', 'operator', 'ingest'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface ApiKey {
  role: ApiRole;
  /** SHA-256 of the key: the key itself is not kept in memory after start. */
  hash: Buffer;
  /** The key's first characters, for logs that must say which key acted. */
  hint: string;
}

export class ApiKeysError extends Error {
  override name = 'ApiKeysError';
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Parses `API_KEYS` ("role:key,role:key"), naming the entry that is wrong. */
export function parseApiKeys(value: string | undefined): ApiKey[] {
  if (!value || value.trim() === '') return [];
  return value.split(',').map((entry, i) => {
    const [role, ...rest] = entry.trim().split(':');
    const key = rest.join(':');
    if (!(API_ROLES as readonly string[]).includes(role)) {
      throw new ApiKeysError(`API_KEYS entry ${i + 1}: role must be one of ${API_ROLES.join(', ')}, got "${role}"`);
    }
    if (key.length < 16) throw new ApiKeysError(`API_KEYS entry ${i + 1}: the key must be at least 16 characters`);
    return { role: role as ApiRole, hash: sha256(key), hint: key.slice(0, 4) };
  });
}

/**
 * The key matching a presented one, compared in constant time against every configured key
 * (so neither a match's position nor a near miss shows in the timing).
 */
export function findApiKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const hash = sha256(presented);
  let found: ApiKey | undefined;
  for (const key of keys) if (timingSafeEqual(key.hash, hash) && !found) found = key;
  return found;
}

/** What each role may reach: admin everything; the rest only their groups. */
export function roleAllows(role: ApiRole, needed: readonly ApiRole[]): boolean {
  return role === 'admin' || needed.includes(role);
}
