/**
 * Runs inside the workflow sandbox of the tests' bundle (only when Jest collects coverage).
 * The instrumented modules count into the sandbox's own `__coverage__`; after each activation
 * the counts that moved are sent out through a sink to the test's process, and zeroed, so
 * nothing is counted twice. Only counts travel: the host knows each file's map (the same
 * instrumenter built it from the same source).
 */
import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface FileHits {
  hash: string;
  s: Record<string, number>;
  f: Record<string, number>;
  b: Record<string, number[]>;
}

export interface CoverageSinks extends Sinks {
  coverage: { hits(hits: Record<string, FileHits>): void };
}

interface FileCounts {
  hash: string;
  s: Record<string, number>;
  f: Record<string, number>;
  b: Record<string, number[]>;
}

const { coverage } = proxySinks<CoverageSinks>();

function takeHits(counts: Record<string, FileCounts>): Record<string, FileHits> {
  const out: Record<string, FileHits> = {};
  for (const [file, fc] of Object.entries(counts)) {
    const hits: FileHits = { hash: fc.hash, s: {}, f: {}, b: {} };
    let moved = false;
    for (const [k, n] of Object.entries(fc.s)) if (n) { hits.s[k] = n; fc.s[k] = 0; moved = true; }
    for (const [k, n] of Object.entries(fc.f)) if (n) { hits.f[k] = n; fc.f[k] = 0; moved = true; }
    for (const [k, ns] of Object.entries(fc.b)) {
      if (ns.some((n) => n)) { hits.b[k] = ns.slice(); ns.fill(0); moved = true; }
    }
    if (moved) out[file] = hits;
  }
  return out;
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  internals: [
    {
      concludeActivation(input, next) {
        const counts = (globalThis as { __coverage__?: Record<string, FileCounts> }).__coverage__;
        if (counts) {
          const hits = takeHits(counts);
          if (Object.keys(hits).length > 0) coverage.hits(hits);
        }
        return next(input);
      },
    },
  ],
});
