import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INTENTS, isIntent, routeMessage, triageByKeywords, type Intent, type TriageResult } from '../../src/domain';

/**
 * Accuracy of the keyword triage over a labelled set of realistic WhatsApp messages
 * (test/fixtures/triage-labelled.json). The set was written before the rules were tuned,
 * but the rules were then improved against its misses, so its figure is in-sample.
 * test/fixtures/triage-heldout.json was written later and never tuned against: its figure
 * is the honest estimate for new traffic. Do not tune rules on the held-out set; when it
 * has taught all it can, move it into the labelled set and write a new one.
 */

type Kind = 'plain' | 'typo' | 'multi' | 'gibberish' | 'injection';
const KINDS: readonly Kind[] = ['plain', 'typo', 'multi', 'gibberish', 'injection'];

interface LabelledMessage {
  text: string;
  intents: Intent[];
  language: 'en' | 'es';
  kind: Kind;
}

interface Outcome {
  item: LabelledMessage;
  result: TriageResult;
  agent: string;
  correct: boolean;
}

const MIN_ACCURACY = 0.9;
const MIN_ITEMS = 170;
const MIN_PER_INTENT = 8;
const MIN_PER_KIND: Partial<Record<Kind, number>> = { typo: 25, multi: 15, gibberish: 10, injection: 10 };
const THRESHOLD = { confidenceThreshold: 0.6 };

const FIXTURE = path.resolve(__dirname, '../fixtures/triage-labelled.json');
const HELD_OUT = path.resolve(__dirname, '../fixtures/triage-heldout.json');
/** Floors for the held-out set: a regression guard, not a target to tune for. */
const MIN_HELD_OUT_ACCURACY = 0.65;
const MAX_HELD_OUT_CONFIDENT_MISROUTES = 0.05;
const REPORT = path.resolve(__dirname, '../../reports/triage-accuracy.txt');

const dataset = JSON.parse(readFileSync(FIXTURE, 'utf8')) as LabelledMessage[];

function judge(item: LabelledMessage): Outcome {
  const result = triageByKeywords(item.text);
  const agent = routeMessage(result, THRESHOLD).agent;
  const expected = item.intents[0];
  let correct = result.intent === expected;
  if (expected === 'unknown') {
    // Unknown text must reach a person; gibberish and injections should also say why.
    const toPerson = agent === 'human_handoff';
    const explained =
      item.kind === 'gibberish' ? result.flags.includes('gibberish') || toPerson
      : item.kind === 'injection' ? result.flags.includes('prompt_injection') || toPerson
      : true;
    correct = correct && toPerson && explained;
  }
  return { item, result, agent, correct };
}

function share(outcomes: Outcome[]): string {
  if (outcomes.length === 0) return 'n/a';
  const ok = outcomes.filter((o) => o.correct).length;
  return `${(ok / outcomes.length).toFixed(3)} (${ok}/${outcomes.length})`;
}

function buildReport(outcomes: Outcome[], multiRecall: { found: number; total: number }): string {
  const lines: string[] = [];
  const errors = outcomes.filter((o) => !o.correct);
  lines.push('Keyword triage accuracy', '=======================', '');
  lines.push(`items:    ${outcomes.length}`);
  lines.push(`overall:  ${share(outcomes)}   (minimum ${MIN_ACCURACY})`);
  const recall = multiRecall.total === 0 ? 1 : multiRecall.found / multiRecall.total;
  lines.push(`multi-intent recall (secondary intents found): ${recall.toFixed(3)} (${multiRecall.found}/${multiRecall.total})`);
  const worded = outcomes.filter((o) => o.item.kind !== 'gibberish');
  const languageOk = worded.filter((o) => o.result.language === o.item.language).length;
  lines.push(`language detected as labelled (gibberish excluded): ${languageOk}/${worded.length}`);
  const timid = outcomes.filter((o) => o.correct && o.item.intents[0] !== 'unknown' && o.agent === 'human_handoff' && o.item.intents[0] !== 'human_handoff');
  lines.push(`correct but under the routing threshold (sent to a person): ${timid.length}`, '');

  lines.push('per kind:');
  for (const kind of KINDS) lines.push(`  ${kind.padEnd(10)} ${share(outcomes.filter((o) => o.item.kind === kind))}`);
  lines.push('per language:');
  for (const lang of ['en', 'es']) lines.push(`  ${lang.padEnd(10)} ${share(outcomes.filter((o) => o.item.language === lang))}`);
  lines.push('per labelled intent:');
  for (const intent of INTENTS) {
    const of = outcomes.filter((o) => o.item.intents[0] === intent);
    if (of.length > 0) lines.push(`  ${intent.padEnd(24)} ${share(of)}`);
  }
  lines.push('');

  lines.push('confusion (errors only: labelled -> predicted, count):');
  const confusion = new Map<string, number>();
  for (const o of errors) {
    const key = `${o.item.intents[0]} -> ${o.result.intent}`;
    confusion.set(key, (confusion.get(key) ?? 0) + 1);
  }
  const sorted = [...confusion.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (sorted.length === 0) lines.push('  (none)');
  for (const [key, count] of sorted) lines.push(`  ${key.padEnd(52)} ${count}`);
  lines.push('');

  lines.push('misclassified:');
  if (errors.length === 0) lines.push('  (none)');
  for (const o of errors) {
    const flags = o.result.flags.length > 0 ? ` flags=${o.result.flags.join(',')}` : '';
    lines.push(
      `  [${o.item.kind}/${o.item.language}] ${JSON.stringify(o.item.text)}\n` +
        `      labelled ${o.item.intents.join('+')}, predicted ${o.result.intents.join('+')} ` +
        `(confidence ${o.result.confidence}, agent ${o.agent}${flags})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('keyword triage accuracy over the labelled data set', () => {
  it('has the shape the report relies on, so the set cannot shrink silently', () => {
    expect(dataset.length).toBeGreaterThanOrEqual(MIN_ITEMS);
    for (const item of dataset) {
      expect(typeof item.text).toBe('string');
      expect(item.text.trim().length).toBeGreaterThan(0);
      expect(item.intents.length).toBeGreaterThanOrEqual(1);
      expect(item.intents.length).toBeLessThanOrEqual(2);
      for (const intent of item.intents) expect(isIntent(intent)).toBe(true);
      expect(['en', 'es']).toContain(item.language);
      expect(KINDS).toContain(item.kind);
      if (item.kind === 'multi') expect(item.intents).toHaveLength(2);
      if (item.kind === 'gibberish' || item.kind === 'injection') expect(item.intents).toEqual(['unknown']);
    }
    const texts = dataset.map((item) => item.text.trim().toLowerCase());
    expect(new Set(texts).size).toBe(texts.length);

    for (const intent of INTENTS.filter((i) => i !== 'unknown')) {
      const count = dataset.filter((item) => item.intents[0] === intent).length;
      expect({ intent, enough: count >= MIN_PER_INTENT }).toEqual({ intent, enough: true });
    }
    for (const [kind, min] of Object.entries(MIN_PER_KIND)) {
      const count = dataset.filter((item) => item.kind === kind).length;
      expect({ kind, enough: count >= (min ?? 0) }).toEqual({ kind, enough: true });
    }
    const injections = dataset.filter((item) => item.kind === 'injection');
    expect(injections.some((item) => item.language === 'en')).toBe(true);
    expect(injections.some((item) => item.language === 'es')).toBe(true);
    const spanish = dataset.filter((item) => item.language === 'es').length / dataset.length;
    expect(spanish).toBeGreaterThanOrEqual(0.3);
  });

  it(`classifies at least ${MIN_ACCURACY * 100}% of the messages correctly and reports the rest`, () => {
    const outcomes = dataset.map(judge);

    const multiRecall = { found: 0, total: 0 };
    for (const o of outcomes) {
      for (const secondary of o.item.intents.slice(1)) {
        multiRecall.total += 1;
        if (o.result.intents.includes(secondary)) multiRecall.found += 1;
      }
    }

    const report = buildReport(outcomes, multiRecall);
    process.stdout.write(`\n${report}`);
    mkdirSync(path.dirname(REPORT), { recursive: true });
    writeFileSync(REPORT, report);

    // Flagged text must never look like a confident answer.
    for (const o of outcomes) {
      if (o.result.flags.length > 0) expect({ text: o.item.text, confidence: o.result.confidence < 0.6 }).toEqual({ text: o.item.text, confidence: true });
    }
    // Every unknown-labelled message reaches a person.
    for (const o of outcomes.filter((x) => x.item.intents[0] === 'unknown')) {
      expect({ text: o.item.text, agent: o.agent }).toEqual({ text: o.item.text, agent: 'human_handoff' });
    }

    const accuracy = outcomes.filter((o) => o.correct).length / outcomes.length;
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it('reports accuracy on the held-out set and never routes much of it confidently to the wrong agent', () => {
    const heldOut = JSON.parse(readFileSync(HELD_OUT, 'utf8')) as LabelledMessage[];
    const outcomes = heldOut.map(judge);
    const correct = outcomes.filter((o) => o.correct).length;
    // A wrong specialist is worse than a person: count the misses that did not go to one.
    const confidentMisroutes = outcomes.filter((o) => !o.correct && o.agent !== 'human_handoff').length;
    process.stdout.write(
      `\nheld-out set: ${correct}/${outcomes.length} correct (${((correct / outcomes.length) * 100).toFixed(1)}%), ` +
        `${confidentMisroutes} sent confidently to the wrong agent\n`,
    );
    expect(heldOut.length).toBeGreaterThanOrEqual(60);
    expect(correct / outcomes.length).toBeGreaterThanOrEqual(MIN_HELD_OUT_ACCURACY);
    expect(confidentMisroutes / outcomes.length).toBeLessThanOrEqual(MAX_HELD_OUT_CONFIDENT_MISROUTES);
  });
});
