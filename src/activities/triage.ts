import { triageByKeywords, type TriageResult } from '../domain/keyword-triage';
import { triageTotal } from '../observability/metrics';

/**
 * Keyword triage as a local activity: no network and no I/O, but run as an activity so the
 * rules can change without breaking replay of conversations already in flight.
 */
export async function triageByRules(input: { text: string }): Promise<TriageResult> {
  const result = triageByKeywords(input.text);
  triageTotal.inc({ method: result.method, intent: result.intent });
  return result;
}
