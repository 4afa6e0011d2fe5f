import type { InjectedSinks } from '@temporalio/worker';
import type { CoverageSinks, FileHits } from './workflow-interceptor';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fileCoverage } = require('./instrumenter') as { fileCoverage(filename: string): FileCounts };

interface FileCounts {
  hash: string;
  s: Record<string, number>;
  f: Record<string, number>;
  b: Record<string, number[]>;
}

function globalCoverage(): Record<string, FileCounts> | undefined {
  return (globalThis as { __coverage__?: Record<string, FileCounts> }).__coverage__;
}

/** Whether this Jest run collects coverage (the bundle is then instrumented too). */
export function collectingCoverage(): boolean {
  return globalCoverage() !== undefined;
}

function add(file: string, hits: FileHits): void {
  const all = globalCoverage()!;
  let target = all[file];
  if (!target) {
    // A file only workflows ran: its map, from the same instrumenter and source as the bundle's.
    target = fileCoverage(file);
    if (target.hash !== hits.hash) return; // edited since the bundle was built: its counts would not fit
    all[file] = target;
  }
  if (target.hash !== hits.hash) return;
  for (const [k, n] of Object.entries(hits.s)) target.s[k] = (target.s[k] ?? 0) + n;
  for (const [k, n] of Object.entries(hits.f)) target.f[k] = (target.f[k] ?? 0) + n;
  for (const [k, ns] of Object.entries(hits.b)) {
    const into = target.b[k];
    if (into) ns.forEach((n, i) => (into[i] = (into[i] ?? 0) + n));
  }
}

/**
 * The sink through which the sandbox's counts reach this process's coverage (see
 * workflow-interceptor.ts). Replays count too: histories are how the older shapes run.
 */
export function coverageSinks(): InjectedSinks<CoverageSinks> | undefined {
  if (!collectingCoverage()) return undefined;
  return {
    coverage: {
      hits: {
        fn(_info, hits) {
          for (const [file, fileHits] of Object.entries(hits)) add(file, fileHits);
        },
        callDuringReplay: true,
      },
    },
  };
}
