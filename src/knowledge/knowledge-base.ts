import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import MiniSearch, { type SearchResult } from 'minisearch';
import { detectLanguage, normalizeText, stripAccents } from '../domain/text';
import { parseFrontMatter } from './front-matter';

export const KNOWLEDGE_LANGUAGES = ['en', 'es'] as const;
export type KnowledgeLanguage = (typeof KNOWLEDGE_LANGUAGES)[number];

export const ARTICLE_INTENTS = ['inquiry', 'troubleshooting'] as const;
export type ArticleIntent = (typeof ARTICLE_INTENTS)[number];

export interface KnowledgeArticle {
  /** Shared by every translation of the article; `(id, language)` is unique. */
  id: string;
  language: KnowledgeLanguage;
  title: string;
  tags: string[];
  intent: ArticleIntent;
  /** Markdown body without the front matter. */
  body: string;
  /** Relative to the knowledge-base folder, with `/` separators: `es/warranty.md`. */
  path: string;
}

export interface KnowledgeSearchOptions {
  /** The customer's language; searched first. Guessed from the query when absent. */
  language?: KnowledgeLanguage;
  intent?: ArticleIntent;
  /** At most this many hits (default 3). */
  limit?: number;
}

export interface KnowledgeSearchHit {
  id: string;
  title: string;
  language: KnowledgeLanguage;
  intent: ArticleIntent;
  score: number;
  /** The paragraph of the article that best matches the query, Markdown emphasis removed. */
  snippet: string;
  path: string;
}

export interface KnowledgeBase {
  /** Absolute path of the folder the articles were read from. */
  readonly dir: string;
  readonly articles: ReadonlyArray<KnowledgeArticle>;
  /**
   * Best matching articles in the requested language, or in the other language when the
   * requested one has nothing relevant; `[]` when no article is relevant enough.
   */
  search(query: string, options?: KnowledgeSearchOptions): KnowledgeSearchHit[];
  get(id: string, language: KnowledgeLanguage): KnowledgeArticle | undefined;
}

export class KnowledgeBaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KnowledgeBaseError';
  }
}

const KNOWLEDGE_BASE_FOLDER = 'knowledge-base';
const DEFAULT_LIMIT = 3;
const MAX_LIMIT = 20;

/**
 * Below this score a hit is noise. Tuned on real and unrelated queries: a question that
 * names a topic scores 20 or more; a lone rare body word ("mmHg", "cookies") about 3.5; a
 * stray common word in an unrelated sentence 2–7.
 */
const MIN_SCORE = 3;
/**
 * Each query word that matches nothing raises the bar by MIN_SCORE, so one common word in
 * an unrelated sentence ("what time is it in Tokyo") is not enough. Capped so a long
 * message that does name its topic is still answered.
 */
const MAX_SCORE_FACTOR = 5;
/**
 * A typo-only match counts as evidence only for long words: a 4-letter word one edit away
 * from another ("lake" → "take") is chance, a 7-letter one ("pasword") is a misspelling.
 */
const MIN_FUZZY_ANCHOR_LENGTH = 7;
const FUZZY = 0.2;
const MIN_FUZZY_LENGTH = 4;
const MIN_PREFIX_LENGTH = 3;
const BOOST = { title: 3, tags: 2, body: 1 };
/** In snippet choice, query words already in the title say little about which paragraph. */
const TITLE_TERM_WEIGHT = 0.3;

// Stop words are stored without accents because terms are compared after stripping them.
const STOP_WORDS: Record<KnowledgeLanguage, ReadonlySet<string>> = {
  en: new Set(
    (
      'a an the and or but if of to in on at by for with from into about as is are was were be been being am ' +
      'do does did doing done have has had i me my mine you your yours we our us it its he she they them their ' +
      'this that these those there here what which who whom whose how when where why can could would should will ' +
      'shall may might must not no nor so too very just really also only any some something anything thing ' +
      'please pls hi hello hey thanks thank ok okay get gets got getting want wanted need needs im ive id dont ' +
      'doesnt didnt wont cant isnt arent wasnt won don doesn didn isn aren ll ve re much many tell know say said ' +
      'like help anymore still again since ago last yesterday today tomorrow keep keeps kept saying says'
    ).split(' '),
  ),
  es: new Set(
    (
      'a al ante con contra de del desde e el ella ellas ellos en entre es esa esas ese eso esos esta estas este ' +
      'esto estos estoy esta estan fue ha han hay he la las le les lo los me mi mis muy mas nos nosotros o os ' +
      'para pero por que quien se si sin sobre su sus te ti tu tus u un una unos unas y ya yo como cuando donde ' +
      'cual cuales cuanto cuanta cuantos cuantas hola buenas buenos dias gracias favor quiero quisiera necesito ' +
      'puedo puede pueden tengo tiene tienen hacer algo alguna alguno no saber decir ayuda ayudar ayudarme ' +
      'todavia aun ayer hoy pasa ocurre'
    ).split(' '),
  ),
};
const ANY_STOP_WORD = new Set([...STOP_WORDS.en, ...STOP_WORDS.es]);

/** Chat spellings the shared normalizer leaves alone, mapped to words the articles use. */
const QUERY_SHORT_FORMS: ReadonlyArray<[RegExp, string]> = [
  [/\b(wat|wht|wut)\b/g, 'what'],
  [/\b(smth|sth|smthg|somethin)\b/g, 'something'],
  [/\b(pwd|pw|passwd)\b/g, 'password'],
  [/\bacct\b/g, 'account'],
  [/\bphysio\b/g, 'physiotherapy'],
  [/\bfisio\b/g, 'fisioterapia'],
  [/\bbp\b/g, 'blood pressure'],
  // "How much" is all stop words, yet it is the whole point of the question.
  [/\bhow much\b/g, 'price'],
  [/\bcuanto (cuesta|cuestan|vale|valen|sale|cobran)\b/g, 'precio'],
];

interface Paragraph {
  text: string;
  terms: string[];
}

interface IndexedArticle {
  article: KnowledgeArticle;
  paragraphs: Paragraph[];
  titleTerms: string[];
  /** Every distinct term of title, tags and body, for counting the articles a word is in. */
  allTerms: string[];
}

interface IndexDocument {
  id: string;
  title: string;
  tags: string;
  body: string;
}

/** Splits on anything that is not a letter or digit, after lower-casing and removing accents. */
function tokenize(text: string): string[] {
  return stripAccents(text.normalize('NFC').toLowerCase())
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token.length > 0);
}

function normalizeTerm(term: string): string {
  return stripAccents(term.toLowerCase());
}

function indexTerm(term: string, stopWords: ReadonlySet<string>): string | null {
  const normalized = normalizeTerm(term);
  return normalized.length < 2 || stopWords.has(normalized) ? null : normalized;
}

function articleTerms(text: string, language: KnowledgeLanguage): string[] {
  return tokenize(text)
    .map((token) => indexTerm(token, STOP_WORDS[language]))
    .filter((term): term is string => term !== null);
}

/**
 * Query terms drop the stop words of both languages: the language is a guess, and the
 * fallback search runs the same terms against the other language's articles.
 */
export function queryTerms(query: string): string[] {
  let text = normalizeText(query);
  for (const [pattern, replacement] of QUERY_SHORT_FORMS) text = text.replace(pattern, replacement);
  const terms = tokenize(text)
    .map((token) => indexTerm(token, ANY_STOP_WORD))
    .filter((term): term is string => term !== null);
  return [...new Set(terms)];
}

function fuzzyDistanceFor(term: string): number {
  return term.length >= MIN_FUZZY_LENGTH ? Math.round(term.length * FUZZY) : 0;
}

/** Levenshtein distance, giving up (returning max + 1) once it must exceed `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length];
}

type MatchKind = 'exact' | 'prefix' | 'fuzzy' | null;

/** How a document term matches a query term, by the same rules the index search uses. */
function matchKind(queryTerm: string, docTerm: string): MatchKind {
  if (docTerm === queryTerm) return 'exact';
  if (queryTerm.length >= MIN_PREFIX_LENGTH && docTerm.startsWith(queryTerm)) return 'prefix';
  const max = fuzzyDistanceFor(queryTerm);
  if (max > 0 && editDistance(queryTerm, docTerm, max) <= max) return 'fuzzy';
  return null;
}

const MATCH_WEIGHT: Record<Exclude<MatchKind, null>, number> = { exact: 1, prefix: 0.75, fuzzy: 0.5 };

/**
 * A hit needs at least one query term matched exactly, by prefix, or as a misspelling of a
 * long word. Without this, a few short fuzzy matches on common words add up to a hit.
 */
function isAnchored(result: SearchResult): boolean {
  return result.queryTerms.some(
    (queryTerm) =>
      queryTerm.length >= MIN_FUZZY_ANCHOR_LENGTH ||
      result.terms.some((docTerm) => {
        const kind = matchKind(queryTerm, docTerm);
        return kind === 'exact' || kind === 'prefix';
      }),
  );
}

function minScoreFor(result: SearchResult, terms: readonly string[]): number {
  const unmatched = terms.length - result.queryTerms.length;
  return MIN_SCORE * Math.min(1 + unmatched, MAX_SCORE_FACTOR);
}

function splitParagraphs(body: string, language: KnowledgeLanguage): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let heading = '';
  for (const block of body.split(/\n\s*\n/)) {
    const lines = block.split('\n').map((line) => line.trim()).filter(Boolean);
    const text = lines.filter((line) => !line.startsWith('#'));
    const headings = lines.filter((line) => line.startsWith('#')).map((line) => line.replace(/^#+\s*/, ''));
    if (headings.length) heading = headings.join(' ');
    if (!text.length) continue;
    const cleaned = text.map((line) => line.replace(/\*\*|__|`/g, '')).join('\n');
    // The section heading counts for matching, so a paragraph under "E3" wins for "E3".
    paragraphs.push({ text: cleaned, terms: articleTerms(`${heading} ${cleaned}`, language) });
  }
  return paragraphs;
}

function bestMatchWeight(queryTerm: string, terms: Iterable<string>): number {
  let best = 0;
  for (const term of terms) {
    const kind = matchKind(queryTerm, term);
    if (kind) best = Math.max(best, MATCH_WEIGHT[kind]);
    if (best === 1) break;
  }
  return best;
}

/**
 * Picks the paragraph that answers the query. A query word found in every paragraph (the
 * product name, usually) or in many articles says little about which paragraph answers, so
 * each word is weighed by how few paragraphs of the article, and how few articles, contain
 * it; words from the title count less. Ties go to the earlier paragraph, which by
 * convention states the key fact.
 */
function pickSnippet(entry: IndexedArticle, terms: readonly string[], articleRarity: (term: string) => number): string {
  const { paragraphs } = entry;
  if (!paragraphs.length) return '';
  const scores = paragraphs.map(() => 0);
  for (const term of terms) {
    const weights = paragraphs.map((p) => bestMatchWeight(term, p.terms));
    const containing = weights.filter((w) => w > 0).length;
    if (!containing) continue;
    const rarity = Math.log(1 + paragraphs.length / containing) * articleRarity(term);
    const inTitle = bestMatchWeight(term, entry.titleTerms) > 0 ? TITLE_TERM_WEIGHT : 1;
    weights.forEach((w, p) => {
      scores[p] += w * rarity * inTitle;
    });
  }
  let best = 0;
  scores.forEach((score, p) => {
    if (score > scores[best] + 1e-9) best = p;
  });
  return paragraphs[best].text;
}

function requireString(data: Record<string, unknown>, key: string, file: string): string {
  const value = data[key];
  if (typeof value !== 'string' || !value.trim()) throw new KnowledgeBaseError(`${file}: front matter "${key}" is required`);
  return value.trim();
}

function requireOneOf<T extends string>(data: Record<string, unknown>, key: string, allowed: readonly T[], file: string): T {
  const value = requireString(data, key, file);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new KnowledgeBaseError(`${file}: front matter "${key}" must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

/** Parses one article file; `relativePath` is `<lang>/<id>.md` and must agree with `lang`. */
export function parseArticle(text: string, relativePath: string): KnowledgeArticle {
  const { data, body } = parseFrontMatter(text, relativePath);
  const id = requireString(data, 'id', relativePath);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new KnowledgeBaseError(`${relativePath}: id "${id}" must be kebab-case`);
  const language = requireOneOf(data, 'lang', KNOWLEDGE_LANGUAGES, relativePath);
  const folder = relativePath.split('/')[0];
  if (folder !== language) throw new KnowledgeBaseError(`${relativePath}: lang "${language}" does not match its folder "${folder}"`);
  const rawTags = data.tags;
  const tags = (Array.isArray(rawTags) ? rawTags : typeof rawTags === 'string' ? rawTags.split(',') : [])
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (!tags.length) throw new KnowledgeBaseError(`${relativePath}: front matter "tags" needs at least one tag`);
  if (!body) throw new KnowledgeBaseError(`${relativePath}: the article has no body`);
  return {
    id,
    language,
    title: requireString(data, 'title', relativePath),
    tags,
    intent: requireOneOf(data, 'intent', ARTICLE_INTENTS, relativePath),
    body,
    path: relativePath,
  };
}

/**
 * The folder holding `knowledge-base/`, found by walking up from this file: `src/knowledge`
 * under ts-jest and `dist/src/knowledge` when compiled sit at different depths.
 */
export function findKnowledgeBaseDir(from: string = __dirname): string {
  let current = path.resolve(from);
  for (;;) {
    const candidate = path.join(current, KNOWLEDGE_BASE_FOLDER);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = path.dirname(current);
    if (parent === current) throw new KnowledgeBaseError(`no ${KNOWLEDGE_BASE_FOLDER}/ folder found above ${from}`);
    current = parent;
  }
}

function readArticles(dir: string): KnowledgeArticle[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new KnowledgeBaseError(`knowledge base folder not found: ${dir}`);
  const articles: KnowledgeArticle[] = [];
  for (const language of KNOWLEDGE_LANGUAGES) {
    const languageDir = path.join(dir, language);
    if (!existsSync(languageDir)) continue;
    const files = readdirSync(languageDir).filter((name) => name.endsWith('.md')).sort();
    for (const name of files) {
      articles.push(parseArticle(readFileSync(path.join(languageDir, name), 'utf8'), `${language}/${name}`));
    }
  }
  if (!articles.length) throw new KnowledgeBaseError(`no articles under ${dir} (expected ${KNOWLEDGE_LANGUAGES.join('/, ')}/ folders of .md files)`);
  return articles;
}

function buildIndex(language: KnowledgeLanguage, entries: IndexedArticle[]): MiniSearch<IndexDocument> {
  const index = new MiniSearch<IndexDocument>({
    fields: ['title', 'tags', 'body'],
    tokenize,
    processTerm: (term) => indexTerm(term, STOP_WORDS[language]),
  });
  index.addAll(
    entries.map(({ article }) => ({ id: article.id, title: article.title, tags: article.tags.join(' , '), body: article.body })),
  );
  return index;
}

/**
 * Reads every article under `dir` (default: the repository's `knowledge-base/`) and builds
 * one search index per language. Synchronous and meant to run once per process: keep the
 * returned object and call `search` per message (see `getKnowledgeBase`).
 */
export function loadKnowledgeBase(dir: string = findKnowledgeBaseDir()): KnowledgeBase {
  const root = path.resolve(dir);
  const articles = readArticles(root);
  const byLanguage = new Map<KnowledgeLanguage, Map<string, IndexedArticle>>(KNOWLEDGE_LANGUAGES.map((l) => [l, new Map()]));
  for (const article of articles) {
    const entries = byLanguage.get(article.language)!;
    const existing = entries.get(article.id);
    if (existing) {
      throw new KnowledgeBaseError(`duplicate id "${article.id}" in ${article.language}: ${existing.article.path} and ${article.path}`);
    }
    entries.set(article.id, {
      article,
      paragraphs: splitParagraphs(article.body, article.language),
      titleTerms: [...new Set(articleTerms(article.title, article.language))],
      allTerms: [...new Set(articleTerms(`${article.title} ${article.tags.join(' ')} ${article.body}`, article.language))],
    });
  }
  const indexes = new Map(
    KNOWLEDGE_LANGUAGES.map((language) => [language, buildIndex(language, [...byLanguage.get(language)!.values()])]),
  );

  function searchLanguage(language: KnowledgeLanguage, terms: string[], intent: ArticleIntent | undefined, limit: number): KnowledgeSearchHit[] {
    const entries = byLanguage.get(language)!;
    if (!entries.size) return [];
    const articleRarity = (term: string) => {
      let containing = 0;
      for (const entry of entries.values()) if (bestMatchWeight(term, entry.allTerms) > 0) containing += 1;
      return Math.log(1 + entries.size / Math.max(containing, 1));
    };
    const results = indexes.get(language)!.search(terms.join(' '), {
      tokenize: (text) => text.split(' '),
      processTerm: (term) => term,
      boost: BOOST,
      fuzzy: (term) => (fuzzyDistanceFor(term) > 0 ? FUZZY : false),
      prefix: (term) => term.length >= MIN_PREFIX_LENGTH,
      combineWith: 'OR',
      filter: intent ? (result) => entries.get(result.id)?.article.intent === intent : undefined,
    });
    return results
      .filter((result) => result.score >= minScoreFor(result, terms) && isAnchored(result))
      .slice(0, limit)
      .map((result) => {
        const entry = entries.get(result.id)!;
        const { article } = entry;
        return {
          id: article.id,
          title: article.title,
          language: article.language,
          intent: article.intent,
          score: Math.round(result.score * 1000) / 1000,
          snippet: pickSnippet(entry, terms, articleRarity),
          path: article.path,
        };
      });
  }

  return {
    dir: root,
    articles,
    search(query, options = {}) {
      const terms = queryTerms(query);
      if (!terms.length) return [];
      const limit = Math.min(Math.max(Math.floor(options.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
      const preferred = options.language ?? detectLanguage(query);
      const order = [preferred, ...KNOWLEDGE_LANGUAGES.filter((language) => language !== preferred)];
      for (const language of order) {
        const hits = searchLanguage(language, terms, options.intent, limit);
        if (hits.length) return hits;
      }
      return [];
    },
    get(id, language) {
      return byLanguage.get(language)?.get(id)?.article;
    },
  };
}

let shared: KnowledgeBase | undefined;

/** The repository's knowledge base, loaded on first use and shared by every caller after. */
export function getKnowledgeBase(): KnowledgeBase {
  shared ??= loadKnowledgeBase();
  return shared;
}
