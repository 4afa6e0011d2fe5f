/**
 * @module activities/tools
 * The tools agents act through in LLM mode. The workflow runs the loop model → tool calls →
 * results → model; each call is one `callTool` activity. `toolDefinitionsFor(agent)` gives
 * the model its agent's tools (the agent registry's `tools`); each tool validates its
 * arguments with its zod schema, reads and changes only the calling chat's data (the chat
 * comes from the workflow, never from the model), and an effect happens once per call id
 * (`tool_calls`, see ledger.ts). The data functions are shared with the rule agents
 * (`../operations`), so both modes book, price and refund alike.
 */
import type { DataSource } from 'typeorm';
import { WEBSITE_CAP_BYTES, WEBSITE_TIMEOUT_MS } from '../definitions';
import type { BusinessSettings, KnowledgeSearch } from '../deps';
import { createCallTool } from './call-tool';

export { describeIssues } from './call-tool';
export { TOOLS, parametersOf, toolDefinitionsFor, toolFor } from './registry';

/** `LLM_APPROVAL_REFUND_ABOVE`'s default: refunds above $100.00 wait for a person. */
export const DEFAULT_REFUND_APPROVAL_ABOVE_CENTS = 10_000;

export interface ToolActivityDeps {
  db: DataSource;
  knowledgeBase: KnowledgeSearch;
  business: BusinessSettings;
  /** A refund above this many minor units needs a person's approval (default 10000). */
  refundApprovalAboveCents?: number;
  /** Hosts the research tool may read a lead's website from (none when absent). */
  httpAllowedHosts?: readonly string[];
}

export function createToolActivities(deps: ToolActivityDeps) {
  return {
    callTool: createCallTool({
      db: deps.db,
      knowledgeBase: deps.knowledgeBase,
      business: deps.business,
      refundApprovalAboveCents: deps.refundApprovalAboveCents ?? DEFAULT_REFUND_APPROVAL_ABOVE_CENTS,
      website: { allowedHosts: deps.httpAllowedHosts ?? [], capBytes: WEBSITE_CAP_BYTES, timeoutMs: WEBSITE_TIMEOUT_MS },
    }),
  };
}
