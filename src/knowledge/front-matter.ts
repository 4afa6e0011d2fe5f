/**
 * The subset of YAML front matter the knowledge base uses: `key: value`, `[a, b]` lists and
 * `- item` lists. A full YAML parser would be a new runtime dependency for six keys, and a
 * strict small grammar turns a typo in an article into an error instead of a silent default.
 */

export type FrontMatterValue = string | string[];

export interface FrontMatter {
  data: Record<string, FrontMatterValue>;
  body: string;
}

export class FrontMatterError extends Error {
  constructor(message: string, source?: string) {
    super(source ? `${source}: ${message}` : message);
    this.name = 'FrontMatterError';
  }
}

const FENCE = /^---\s*$/;
const KEY_VALUE = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/;
const LIST_ITEM = /^\s+-\s+(.*)$|^-\s+(.*)$/;

/** Splits `---`-fenced front matter from the Markdown body; `source` only labels errors. */
export function parseFrontMatter(text: string, source?: string): FrontMatter {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  if (!FENCE.test(lines[0] ?? '')) throw new FrontMatterError('missing front matter (the file must start with ---)', source);
  const end = lines.findIndex((line, i) => i > 0 && FENCE.test(line));
  if (end < 0) throw new FrontMatterError('front matter is not closed with ---', source);

  const data: Record<string, FrontMatterValue> = {};
  let openList: string[] | null = null;
  for (let i = 1; i < end; i += 1) {
    const line = stripComment(lines[i]);
    if (!line.trim()) continue;
    const item = LIST_ITEM.exec(line);
    if (item && openList) {
      openList.push(unquote((item[1] ?? item[2]).trim()));
      continue;
    }
    const pair = KEY_VALUE.exec(line);
    if (!pair) throw new FrontMatterError(`cannot parse front matter line ${i + 1}: "${lines[i]}"`, source);
    const [, key, raw] = pair;
    if (key in data) throw new FrontMatterError(`duplicate front matter key "${key}"`, source);
    const value = raw.trim();
    if (value === '') {
      // A key with nothing after the colon opens a block list; it stays empty if no items follow.
      openList = [];
      data[key] = openList;
    } else {
      openList = null;
      data[key] = value.startsWith('[') ? parseInlineList(value, key, source) : unquote(value);
    }
  }
  return { data, body: lines.slice(end + 1).join('\n').trim() };
}

function parseInlineList(value: string, key: string, source?: string): string[] {
  if (!value.endsWith(']')) throw new FrontMatterError(`list "${key}" is not closed with ]`, source);
  const inner = value.slice(1, -1).trim();
  if (!inner) return [];
  return splitOutsideQuotes(inner).map((part) => unquote(part.trim())).filter((part) => part.length > 0);
}

function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if ((ch === '"' || ch === "'") && current.trim() === '') {
      quote = ch;
    } else if (ch === ',') {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

/**
 * `#` starts a comment only after whitespace and outside quotes, so `C#` survives. A quote
 * opens only at the start of a value, so the apostrophe in `won't` is just a letter.
 */
function stripComment(line: string): string {
  if (line.trimStart().startsWith('#')) return '';
  let quote: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if ((ch === '"' || ch === "'") && /^$|[\s:[,]/.test(line[i - 1] ?? '')) {
      quote = ch;
    } else if (ch === '#' && /\s/.test(line[i - 1] ?? '')) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line;
}

function unquote(value: string): string {
  const first = value[0];
  if ((first === '"' || first === "'") && value.length >= 2 && value.endsWith(first)) return value.slice(1, -1);
  return value;
}
