import { activitySignal } from './activity-context';

import { isHostAllowed } from '../../domain/workflow-definitions/hosts';

export { isHostAllowed };

/**
 * Fetching from allow-listed hosts only, with bodies cut at a cap: what `http` steps and the
 * research agent share.
 */

/** Reads at most `cap` bytes of a body and stops the download there. */
export async function readCapped(res: Response, cap: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (!res.body) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks), truncated: false };
    if (size + value.byteLength > cap) {
      chunks.push(Buffer.from(value.subarray(0, cap - size)));
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(Buffer.from(value));
    size += value.byteLength;
  }
}

/** fetch's errors come from Node's realm (not `instanceof Error` under Jest): read them by shape. */
export function errorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown })?.name;
  return typeof name === 'string' ? name : undefined;
}

/** An error and its causes, innermost last: "fetch failed <- connect ECONNREFUSED [ECONNREFUSED]". */
export function describeCause(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as { message?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    const message = typeof e.message === 'string' ? e.message : '';
    const code = typeof e.code === 'string' && !message.includes(e.code) ? ` [${e.code}]` : '';
    if (message || code) parts.push(`${message}${code}`.trim());
  }
  return parts.join(' <- ') || String(err);
}

export interface WebsiteFetchOptions {
  allowedHosts: readonly string[];
  capBytes: number;
  timeoutMs: number;
}

/** How one hop of a website fetch ended: a page, a redirect to follow, or nothing (why is in the notes). */
type Hop = { page: { url: URL; html: string } } | { redirect: URL } | undefined;

/**
 * Fetches a page on an allow-listed host, following at most 3 redirects that stay on the
 * list. Never throws: when there is no page, `notes` says why.
 */
export async function fetchWebsite(start: URL, notes: string[], options: WebsiteFetchOptions): Promise<{ url: URL; html: string } | undefined> {
  let url = start;
  for (let hop = 0; hop < 4; hop++) {
    if (!isHostAllowed(url, options.allowedHosts)) {
      notes.push(`website host ${url.host} is not on the allow-list (WORKFLOW_HTTP_ALLOWED_HOSTS)`);
      return undefined;
    }
    const next = await fetchHop(url, notes, options);
    if (next === undefined) return undefined;
    if ('page' in next) return next.page;
    url = next.redirect;
  }
  notes.push('website redirected more than 3 times');
  return undefined;
}

async function fetchHop(url: URL, notes: string[], options: WebsiteFetchOptions): Promise<Hop> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml' }, signal: activitySignal(options.timeoutMs) });
  } catch (err) {
    const name = errorName(err);
    notes.push(name === 'TimeoutError' || name === 'AbortError' ? `website did not answer within ${options.timeoutMs} ms` : `website unreachable: ${describeCause(err)}`);
    return undefined;
  }
  const location = res.headers.get('location');
  if (res.status >= 300 && res.status < 400 && location) {
    await res.body?.cancel().catch(() => undefined);
    return { redirect: new URL(location, url) };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    notes.push(`website answered ${res.status}`);
    return undefined;
  }
  try {
    const { bytes, truncated } = await readCapped(res, options.capBytes);
    if (truncated) notes.push(`website page cut at ${options.capBytes} bytes`);
    return { page: { url, html: bytes.toString('utf8') } };
  } catch (err) {
    notes.push(`website read failed: ${describeCause(err)}`);
    return undefined;
  }
}
