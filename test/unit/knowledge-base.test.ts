import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ARTICLE_INTENTS,
  findKnowledgeBaseDir,
  getKnowledgeBase,
  KNOWLEDGE_LANGUAGES,
  loadKnowledgeBase,
  parseArticle,
  parseFrontMatter,
  type KnowledgeBase,
  type KnowledgeLanguage,
} from '../../src/knowledge';

const REPO_ROOT = path.resolve(__dirname, '../..');
const KB_DIR = path.join(REPO_ROOT, 'knowledge-base');

describe('knowledge base', () => {
  let kb: KnowledgeBase;

  beforeAll(() => {
    kb = loadKnowledgeBase();
  });

  describe('search: the expected article first, with the paragraph that answers', () => {
    it.each<[string, KnowledgeLanguage, string, string[]]>([
      ['wat r ur hours', 'en', 'opening-hours', ['Saturday 10:00–14:00', 'Monday to Friday 9:00–18:00']],
      ['my pulse band wont charge', 'en', 'pulse-band-charging', ['contacts']],
      ['how do i return smth', 'en', 'returns-and-refunds', ['30 days', 'receipt']],
      ['E3 error on blood pressure monitor', 'en', 'blood-pressure-monitor-errors', ['E3', '300 mmHg']],
      ['my bp monitor keeps saying E4', 'en', 'blood-pressure-monitor-errors', ['E4', 'AA batteries']],
      ['where r u located, is there parking?', 'en', 'location-and-parking', ['12 Harbour Road']],
      ['how much is a physio session', 'en', 'services-and-prices', ['$75']],
      ['can i pay with paypal', 'en', 'payment-methods', ['PayPal']],
      ['massage gun gets really hot', 'en', 'massage-gun-overheating', ['15–20 minutes']],
      ['scale shows wrong weight', 'en', 'smart-scale-readings', ['carpet']],
      ['how do i delete my data', 'en', 'privacy-and-data', ['delete', '30 days']],
      ['pasword resett', 'en', 'shop-account-login', ['60 minutes']],
      ['the pulse band wont pair with my iphone', 'en', 'pulse-band-pairing', ['Harbour Wellness app']],
      ['is there a fee if i dont show up', 'en', 'cancellation-policy', ['50%']],
      ['do u ship internationally?', 'en', 'shipping', ['do not ship internationally']],
      ['how much is shipping', 'en', 'shipping', ['$6']],
      ['horario del sabado', 'es', 'opening-hours', ['sábados de 10:00 a 14:00']],
      ['hola, quiero saber si abren el domingo', 'es', 'opening-hours', ['domingos']],
      ['la bascula no conecta', 'es', 'smart-scale-connection', ['Bluetooth']],
      ['olvidé mi contraseña', 'es', 'shop-account-login', ['60 minutos']],
      ['cuanto cuesta la consulta', 'es', 'services-and-prices', ['$60']],
      ['la pistola de masaje no enciende', 'es', 'massage-gun-power', ['interruptor']],
      ['mi pulsera no se sincroniza con la app', 'es', 'pulse-band-sync', ['desliza hacia abajo']],
      ['mi reloj no carga', 'es', 'pulse-band-charging', ['contactos']],
      ['cuanto tarda el envio', 'es', 'shipping', ['3 a 5 días hábiles']],
      ['reembolso', 'es', 'returns-and-refunds', ['5 a 10 días hábiles']],
      ['el tensiometro marca E1', 'es', 'blood-pressure-monitor-errors', ['E1', 'fuga de aire']],
      ['necesito cancelar mi cita de mañana', 'es', 'cancellation-policy', ['24 horas']],
      ['dónde está mi pedido', 'es', 'order-tracking', ['número de seguimiento']],
      ['aceptan tarjeta?', 'es', 'payment-methods', ['tarjeta']],
    ])('"%s" (%s) → %s', (query, language, id, facts) => {
      const hits = kb.search(query, { language });
      expect(hits.length).toBeGreaterThan(0);
      expect(hits[0]).toMatchObject({ id, language, path: `${language}/${id}.md` });
      for (const fact of facts) expect(hits[0].snippet).toContain(fact);
    });

    it('returns one paragraph as the snippet, not the article, without Markdown emphasis', () => {
      const [hit] = kb.search('E3 error on blood pressure monitor', { language: 'en' });
      const article = kb.get(hit.id, hit.language)!;
      expect(hit.snippet.startsWith('E3')).toBe(true);
      expect(hit.snippet).not.toContain('E1');
      expect(hit.snippet).not.toMatch(/\n\s*\n/);
      expect(hit.snippet.length).toBeLessThan(article.body.length / 2);
    });

    it('orders hits by score and honours the limit', () => {
      const hits = kb.search('pulse band', { language: 'en', limit: 5 });
      expect(hits.length).toBeGreaterThan(1);
      expect(hits.length).toBeLessThanOrEqual(5);
      for (let i = 1; i < hits.length; i += 1) expect(hits[i - 1].score).toBeGreaterThanOrEqual(hits[i].score);
      expect(kb.search('pulse band', { language: 'en', limit: 1 })).toHaveLength(1);
    });
  });

  describe('language', () => {
    it('prefers the requested language when both have the article', () => {
      const es = kb.search('pulse band', { language: 'es' });
      const en = kb.search('pulse band', { language: 'en' });
      expect(es.length).toBeGreaterThan(0);
      expect(en.length).toBeGreaterThan(0);
      expect(es.every((hit) => hit.language === 'es')).toBe(true);
      expect(en.every((hit) => hit.language === 'en')).toBe(true);

      const [e3es] = kb.search('E3', { language: 'es' });
      expect(e3es).toMatchObject({ id: 'blood-pressure-monitor-errors', language: 'es' });
      expect(e3es.snippet).toContain('Error de inflado');
    });

    it('falls back to the other language when the requested one has nothing relevant', () => {
      const [fromEs] = kb.search('olvidé mi contraseña', { language: 'en' });
      expect(fromEs).toMatchObject({ id: 'shop-account-login', language: 'es' });

      const [fromEn] = kb.search('my smart scale shows the wrong weight', { language: 'es' });
      expect(fromEn).toMatchObject({ id: 'smart-scale-readings', language: 'en' });
      expect(fromEn.snippet).toContain('carpet');
    });

    it('guesses the language from the query when none is given', () => {
      expect(kb.search('la bascula no conecta')[0]).toMatchObject({ id: 'smart-scale-connection', language: 'es' });
      expect(kb.search('my scale wont connect')[0]).toMatchObject({ id: 'smart-scale-connection', language: 'en' });
    });

    it('ignores accents on both sides', () => {
      const plain = kb.search('bascula conecta', { language: 'es' });
      const accented = kb.search('báscula CONÉCTA', { language: 'es' });
      expect(accented.map((hit) => hit.id)).toEqual(plain.map((hit) => hit.id));
      expect(plain[0].id).toBe('smart-scale-connection');
    });
  });

  describe('intent', () => {
    it('keeps only articles of the requested intent', () => {
      const troubleshooting = kb.search('pulse band wont pair', { language: 'en', intent: 'troubleshooting' });
      expect(troubleshooting[0].id).toBe('pulse-band-pairing');
      expect(troubleshooting.every((hit) => hit.intent === 'troubleshooting')).toBe(true);

      const inquiry = kb.search('pulse band wont pair', { language: 'en', intent: 'inquiry' });
      expect(inquiry.every((hit) => hit.intent === 'inquiry')).toBe(true);
    });

    it('lets the inquiry intent pick the policy over the product guide', () => {
      const [hit] = kb.search('how long is the warranty on the massage gun', { language: 'en', intent: 'inquiry' });
      expect(hit.id).toBe('warranty');
      expect(hit.snippet).toContain('1-year warranty');
    });
  });

  describe('nothing rather than a weak match', () => {
    it.each([
      'the weather at the lake',
      'el clima en el lago',
      'what time is it in tokyo',
      'recipe for chocolate cake',
      'quien ganó el partido de futbol',
      'tell me a joke',
      '',
      '?? !!',
    ])('"%s" → []', (query) => {
      expect(kb.search(query)).toEqual([]);
      expect(kb.search(query, { language: 'en' })).toEqual([]);
      expect(kb.search(query, { language: 'es' })).toEqual([]);
    });
  });

  describe('articles', () => {
    const files = KNOWLEDGE_LANGUAGES.flatMap((language) =>
      readdirSync(path.join(KB_DIR, language))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `${language}/${name}`),
    );

    it.each(files)('%s has the required front matter', (file) => {
      const article = parseArticle(readFileSync(path.join(KB_DIR, file), 'utf8'), file);
      expect(article.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(file).toBe(`${article.language}/${article.id}.md`);
      expect(article.title.length).toBeGreaterThan(3);
      expect(article.tags.length).toBeGreaterThan(0);
      expect(ARTICLE_INTENTS).toContain(article.intent);
      expect(article.body.split(/\n\s*\n/).length).toBeGreaterThan(1);
    });

    it('has at least 14 articles per language, ids unique per language, every article translated', () => {
      const ids = Object.fromEntries(
        KNOWLEDGE_LANGUAGES.map((language) => [language, kb.articles.filter((a) => a.language === language).map((a) => a.id)]),
      ) as Record<KnowledgeLanguage, string[]>;
      for (const language of KNOWLEDGE_LANGUAGES) {
        expect(ids[language].length).toBeGreaterThanOrEqual(14);
        expect(new Set(ids[language]).size).toBe(ids[language].length);
      }
      expect([...ids.es].sort()).toEqual([...ids.en].sort());
      expect(kb.articles).toHaveLength(files.length);
    });

    it('keeps the intent of a translation equal to the original', () => {
      for (const article of kb.articles.filter((a) => a.language === 'en')) {
        expect(kb.get(article.id, 'es')?.intent).toBe(article.intent);
      }
    });
  });

  describe('loading', () => {
    let tmp: string;

    beforeEach(() => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'kb-test-'));
      mkdirSync(path.join(tmp, 'en'));
      mkdirSync(path.join(tmp, 'es'));
    });

    afterEach(() => {
      rmSync(tmp, { recursive: true, force: true });
    });

    const article = (id: string, lang: string, extra = '') =>
      `---\nid: ${id}\nlang: ${lang}\ntitle: Title of ${id}\ntags: [one, two]\nintent: inquiry\n${extra}---\n\nBody of ${id}.\n`;

    it('finds knowledge-base/ from src/ and from the compiled dist/src/', () => {
      expect(findKnowledgeBaseDir()).toBe(KB_DIR);
      expect(findKnowledgeBaseDir(path.join(REPO_ROOT, 'dist', 'src', 'knowledge'))).toBe(KB_DIR);
      expect(loadKnowledgeBase().dir).toBe(KB_DIR);
    });

    it('loads the shared instance once', () => {
      expect(getKnowledgeBase()).toBe(getKnowledgeBase());
    });

    it('loads a knowledge base from any folder', () => {
      writeFileSync(path.join(tmp, 'en', 'alpha.md'), article('alpha', 'en'));
      writeFileSync(path.join(tmp, 'es', 'alpha.md'), article('alpha', 'es'));
      const small = loadKnowledgeBase(tmp);
      expect(small.articles.map((a) => `${a.language}/${a.id}`)).toEqual(['en/alpha', 'es/alpha']);
    });

    it('rejects an id used twice in one language', () => {
      writeFileSync(path.join(tmp, 'en', 'alpha.md'), article('alpha', 'en'));
      writeFileSync(path.join(tmp, 'en', 'alpha-copy.md'), article('alpha', 'en'));
      expect(() => loadKnowledgeBase(tmp)).toThrow(/duplicate id "alpha" in en/);
    });

    it('rejects an article whose lang does not match its folder', () => {
      writeFileSync(path.join(tmp, 'es', 'alpha.md'), article('alpha', 'en'));
      expect(() => loadKnowledgeBase(tmp)).toThrow(/does not match its folder/);
    });

    it('rejects missing or invalid front matter fields', () => {
      expect(() => parseArticle('---\nid: a\nlang: en\ntags: [x]\nintent: inquiry\n---\nBody', 'en/a.md')).toThrow(/"title" is required/);
      expect(() => parseArticle('---\nid: a\nlang: en\ntitle: A\ntags: [x]\nintent: faq\n---\nBody', 'en/a.md')).toThrow(/"intent" must be one of/);
      expect(() => parseArticle('---\nid: a\nlang: en\ntitle: A\ntags: []\nintent: inquiry\n---\nBody', 'en/a.md')).toThrow(/tags/);
      expect(() => parseArticle('No front matter here', 'en/a.md')).toThrow(/missing front matter/);
    });

    it('refuses a folder without articles', () => {
      expect(() => loadKnowledgeBase(tmp)).toThrow(/no articles/);
      expect(() => loadKnowledgeBase(path.join(tmp, 'missing'))).toThrow(/not found/);
    });
  });

  describe('front matter parser', () => {
    it('reads scalars, quoted values, inline and block lists, and comments', () => {
      const { data, body } = parseFrontMatter(
        [
          '---',
          'id: sample # a comment',
          'title: "Won\'t charge: a guide"',
          "tags: [won't charge, 'a, b', \"c\"]",
          'aliases:',
          '  - first',
          '  - second',
          '# a whole-line comment',
          'empty: []',
          '---',
          '',
          'The body.',
        ].join('\r\n'),
      );
      expect(data).toEqual({
        id: 'sample',
        title: "Won't charge: a guide",
        tags: ["won't charge", 'a, b', 'c'],
        aliases: ['first', 'second'],
        empty: [],
      });
      expect(body).toBe('The body.');
    });

    it('reports what is wrong and where', () => {
      expect(() => parseFrontMatter('---\nid: a\n', 'en/a.md')).toThrow(/en\/a\.md: front matter is not closed/);
      expect(() => parseFrontMatter('---\nnot a pair\n---\n', 'en/a.md')).toThrow(/cannot parse front matter line 2/);
      expect(() => parseFrontMatter('---\nid: a\nid: b\n---\n')).toThrow(/duplicate front matter key "id"/);
    });
  });
});
