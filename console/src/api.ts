/** The API client: the key in X-API-Key on every call, errors worded for a person. */

const KEY = 'switchboard.key';
const OPERATOR = 'switchboard.operator';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The key and operator name, kept in this tab's session only (never in a URL, never in localStorage). */
export const credentials = {
  get key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  get operator(): string {
    return sessionStorage.getItem(OPERATOR) || 'operator';
  },
  save(key: string, operator: string): void {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(OPERATOR, operator.trim() || 'operator');
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(OPERATOR);
  },
};

let unauthorized: (message: string) => void = () => undefined;

/** Called when any call answers 401: the key is no longer accepted. */
export function onUnauthorized(handler: (message: string) => void): void {
  unauthorized = handler;
}

/** Reports a refused key from outside `api()` (the event stream). */
export function refuseKey(message = 'That key was refused'): void {
  unauthorized(message);
}

export function authHeaders(key: string | null = credentials.key): Record<string, string> {
  return key ? { 'x-api-key': key } : {};
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Use this key instead of the signed-in one (sign-in checks a key before keeping it). */
  key?: string;
  signal?: AbortSignal;
}

/** Calls the API; resolves with the JSON body, or rejects with an ApiError carrying the API's own message. */
export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(options.key ?? credentials.key) };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, `The API could not be reached (${(err as Error).message}). Is it running?`);
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!res.ok) {
    const message = describe(res, body, path);
    if (res.status === 401 && options.key === undefined) unauthorized('That key was refused');
    throw new ApiError(res.status, message);
  }
  return body as T;
}

function describe(res: Response, body: unknown, path: string): string {
  const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
  const text = typeof message === 'string' && message ? message : `${res.statusText || 'request failed'}`;
  if (res.status === 404 && /^Cannot (GET|POST|PUT|DELETE)/.test(text)) {
    return `${path.split('?')[0]} is not available on this API (404): ${text}`;
  }
  return `${text} (${res.status})`;
}

/** `/api/x?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const q = params.toString();
  return q ? `${path}?${q}` : path;
}

export const enc = encodeURIComponent;
