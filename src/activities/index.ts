/**
 * @module activities
 * Every side effect the workflows ask for, built by `createActivities(deps)` so tests pass
 * real or local-server dependencies and nothing reads globals. Workflows see these only
 * through `import type` and `proxyActivities`.
 */
import type { DataSource } from 'typeorm';
import { appointmentAgent } from './agents/appointment-agent';
import { humanHandoffAgent } from './agents/human-handoff-agent';
import { inquiryAgent } from './agents/inquiry-agent';
import { triageAgent } from './agents/triage-agent';
import { createReplyActivities } from './replies';
import { triageByRules } from './triage';

export interface ActivityDeps {
  db: DataSource;
}

export function createActivities(deps: ActivityDeps) {
  return {
    triageByRules,
    triageAgent,
    appointmentAgent,
    inquiryAgent,
    humanHandoffAgent,
    ...createReplyActivities(deps.db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
