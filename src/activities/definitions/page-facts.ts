/**
 * What an HTML page says about its company: title, description, site name. Regexes, not a
 * parser: pages are small (cut at a cap) and only the head is read.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

/** Entities decoded, whitespace collapsed, cut at `max` characters; undefined when empty. */
function clean(value: string | undefined, max = 300): string | undefined {
  if (value === undefined) return undefined;
  const flat = decodeEntities(value).replace(/\s+/g, ' ').trim();
  if (!flat) return undefined;
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The page's meta tags by name or property (lower case), the first of each. */
function metaTags(html: string): Map<string, string> {
  const metas = new Map<string, string>();
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const attrs = new Map<string, string>();
    for (const m of tag.matchAll(/([a-z:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)) attrs.set(m[1].toLowerCase(), m[3] ?? m[4] ?? m[5] ?? '');
    const key = (attrs.get('name') ?? attrs.get('property'))?.toLowerCase();
    const content = attrs.get('content');
    if (key && content !== undefined && !metas.has(key)) metas.set(key, content);
  }
  return metas;
}

/** The title, meta description and site name of an HTML page. */
export function pageFacts(html: string): { title?: string; description?: string; siteName?: string } {
  const title = clean(html.match(/<title[^>]*>([\s\S]*?)<\/title>/i)?.[1]);
  const metas = metaTags(html);
  return {
    title,
    description: clean(metas.get('description') ?? metas.get('og:description'), 500),
    siteName: clean(metas.get('og:site_name'), 200),
  };
}
