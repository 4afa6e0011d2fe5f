import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workerObservabilityOptions } from '../../src/observability/worker-observability';
import { coverageSinks } from '../helpers/coverage/sinks';
import { workflowBundle } from '../helpers/temporal';

/** The shared bundle counts coverage under --coverage: its sink goes beside the tracing one. */
function withCoverage<T extends { sinks?: object }>(options: T): T {
  return { ...options, sinks: { ...options.sinks, ...coverageSinks() } };
}

const HISTORIES = path.resolve(__dirname, '..', 'histories');

function loadHistories() {
  return readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'));
      const history = historyFromJSON(json);
      const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      return { file, workflowId: file.replace(/\.json$/, ''), history, type };
    });
}

describe('replay of recorded histories against the current workflow code', () => {
  const histories = loadHistories();

  it('has at least one recorded history for every workflow type the worker runs', () => {
    const types = new Set(histories.map((h) => h.type));
    expect([...types]).toEqual(expect.arrayContaining(['handleMessage', 'conversation', 'sendReminder', 'runTask', 'cleanupTasks', 'followUpCampaign', 'segmentCampaign', 'runDefinition']));
  });

  // The run's shared bundle, and the bundle the production worker builds from src/workflows;
  // both carry the OpenTelemetry workflow interceptors, as every worker does (their microtask
  // turns are part of the command order: worker-observability.ts).
  it.each([
    ['the shared test bundle', () => withCoverage({ workflowBundle: workflowBundle(), ...workerObservabilityOptions(true) })],
    ['the bundle the worker builds', () => ({ workflowsPath: require.resolve('../../src/workflows'), ...workerObservabilityOptions(false) })],
  ])('replays every history in test/histories with %s, without a nondeterminism error', async (_, options) => {
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { ...options(), replayName: 'switchboard-replay' },
      histories.map(({ workflowId, history }) => ({ workflowId, history })),
    )) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  }, 120_000);
});
