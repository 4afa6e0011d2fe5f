import { createHash } from 'node:crypto';

/**
 * The same parts always give the same id, so a retried activity writes (and reports) the
 * same row, and concurrent inserts race to one. Shaped as a version-5-style UUID
 * (name-based) so it validates wherever a UUID is expected.
 */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
