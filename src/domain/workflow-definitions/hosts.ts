/**
 * True when `url`'s host is on the allow-list. An entry is a host name (`api.example.com`),
 * a host and port (`127.0.0.1:8080`), or `*.example.com` for any subdomain of it (not the
 * apex). Matching is case-insensitive; nothing is allowed when the list is empty.
 */
export function isHostAllowed(url: URL, allowList: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const host = url.host.toLowerCase();
  return allowList.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry) return false;
    if (entry.startsWith('*.')) return hostname.endsWith(entry.slice(1)) && hostname.length > entry.length - 1;
    return entry === hostname || entry === host;
  });
}
