/** The Cloud API's limit for `text.body`. */
export const WHATSAPP_TEXT_LIMIT = 4096;

/** Sentence ends: punctuation, optional closing quotes or brackets, then whitespace. */
const SENTENCE_END = /[.!?…。！？]["'”’)\]]*(?=\s)/g;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Splits a text into chunks of at most `limit` UTF-16 code units (the stricter reading of
 * the provider's "characters"), preferring a paragraph break, then a sentence end, then
 * any whitespace; the whitespace at a split is dropped. Only a run of `limit` characters
 * without whitespace is cut hard, and then on a grapheme boundary, so neither a surrogate
 * pair nor an emoji sequence is broken in two.
 */
export function splitText(text: string, limit: number = WHATSAPP_TEXT_LIMIT): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`splitText: limit must be an integer ≥ 2, got ${limit}`);
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = findCut(rest, limit);
    const chunk = rest.slice(0, cut).trimEnd();
    // Only a text opening with more than `limit` blanks gives an empty chunk; nothing to send.
    if (chunk.length > 0) chunks.push(chunk);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/** Where to end the next chunk of `rest` (which is longer than `limit`). */
function findCut(rest: string, limit: number): number {
  // The character just past the window decides whether the window's end is itself a
  // word boundary (a text of exactly-fitting words).
  const window = rest.slice(0, limit + 1);
  // Breaks in the first half would make needlessly many messages; prefer a later one.
  const floor = Math.floor(limit / 2);

  const paragraph = lastMatchEnd(window, /\S(\s*\n\s*\n)/g, limit, (m) => m.index + 1);
  if (paragraph !== undefined && paragraph >= floor) return paragraph;

  const sentence = lastMatchEnd(window, SENTENCE_END, limit, (m) => m.index + m[0].length);
  if (sentence !== undefined && sentence >= floor) return sentence;

  const word = lastMatchEnd(window, /\S(?=\s)/g, limit, (m) => m.index + 1);
  if (word !== undefined) return word;

  return hardCut(rest, limit);
}

/** The largest position `at(match)` ≤ limit over all matches, or undefined. */
function lastMatchEnd(window: string, pattern: RegExp, limit: number, at: (m: RegExpExecArray) => number): number | undefined {
  let best: number | undefined;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(window); m !== null; m = pattern.exec(window)) {
    const position = at(m);
    if (position > 0 && position <= limit) best = position;
    if (m[0].length === 0) pattern.lastIndex += 1;
  }
  return best;
}

function hardCut(rest: string, limit: number): number {
  let cut = 0;
  for (const { index } of graphemes.segment(rest.slice(0, limit + 1))) {
    if (index > limit) break;
    cut = index;
  }
  if (cut > 0) return cut;
  // One grapheme longer than the limit (a pathological combining sequence): at least keep
  // surrogate pairs whole.
  const code = rest.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}
