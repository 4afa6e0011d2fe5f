import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import type { RunAgentTaskInput, StepActivityResult } from '../../contracts/run-definition';
import { agentTasks } from '../../domain/agent-registry';
import { qualifyLead } from '../../domain/lead-qualification';
import { scoreLead } from '../../domain/lead-scoring';
import type { KnowledgeSearch } from '../deps';
import { currentAttempt } from './activity-context';
import { enrichLead, type EnrichLeadDeps } from './enrich-lead';
import { DEFINITION_FAILURES } from './failures';
import { leadOf, money, parametersOf, priorityOf, text } from './lead-input';

/**
 * The agent tasks user-defined workflows may call (`agent_task` steps), keyed
 * `agent_type.task`. A task runs only if the agent registry also lists it for that agent.
 */

export type AgentTask = (input: RunAgentTaskInput) => Promise<unknown>;

export interface AgentTaskDeps extends EnrichLeadDeps {
  knowledgeBase: KnowledgeSearch;
}

export function createAgentTasks(deps: AgentTaskDeps): Record<string, AgentTask> {
  return {
    'sales.qualify_lead': qualifyLeadTask,
    'lead.score_lead': scoreLeadTask,
    'research.enrich_lead': (input) => enrichLead(deps, input),
    'inquiry.answer_question': (input) => answerQuestionTask(deps.knowledgeBase, input),
  };
}

/** Runs one registry agent's task for an `agent_task` step. */
export async function runAgentTask(tasks: Record<string, AgentTask>, input: RunAgentTaskInput): Promise<StepActivityResult> {
  const key = `${input.agent_type}.${input.task}`;
  const handler = agentTasks(input.agent_type)?.includes(input.task) ? tasks[key] : undefined;
  if (!handler) throw ApplicationFailure.nonRetryable(`agent ${input.agent_type} has no task ${input.task}`, DEFINITION_FAILURES.agentTaskNotFound);
  const attempt = currentAttempt();
  const output = await handler({ ...input, parameters: input.parameters ?? {}, input_data: input.input_data ?? {}, upstream: input.upstream ?? {} });
  return { output, attempt };
}

/** `sales.qualify_lead`: BANT qualification of the lead's form, as of now. */
async function qualifyLeadTask(input: RunAgentTaskInput): Promise<unknown> {
  const p = priorityOf(input);
  const lead = leadOf(input);
  const score = qualifyLead(lead, new Date());
  return {
    lead: { name: lead.name ?? null, company: lead.company ?? null, email: lead.email ?? null },
    score: score.total,
    grade: score.grade,
    qualified: score.qualified,
    bant: { budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline },
    signals: score.signals,
    priority: p,
  };
}

const scoreLeadParameters = z.object({
  text: z.string().trim().min(1).max(5000),
  budget: money.optional(),
  role: text(200).optional(),
  company_size: z.number().int().nonnegative().optional(),
  timeline: text(200).optional(),
});

/** `lead.score_lead`: BANT scoring of free text and what the caller already knows. */
async function scoreLeadTask(input: RunAgentTaskInput): Promise<unknown> {
  const p = parametersOf(input, scoreLeadParameters);
  const score = scoreLead({ text: p.text, budget: p.budget, role: p.role, companySize: p.company_size, timeline: p.timeline });
  return { score: score.total, grade: score.grade, bant: { budget: score.budget, authority: score.authority, need: score.need, timeline: score.timeline }, signals: score.signals };
}

const questionParameters = z.object({ question: z.string().trim().min(1).max(2000), language: z.enum(['en', 'es']).default('en') });

/** `inquiry.answer_question`: the best knowledge-base article for the question, and the runners-up. */
async function answerQuestionTask(knowledgeBase: KnowledgeSearch, input: RunAgentTaskInput): Promise<unknown> {
  const { question, language } = parametersOf(input, questionParameters);
  const hits = knowledgeBase.search(question, { language, intent: 'inquiry', limit: 3 });
  const [best] = hits;
  return {
    question,
    found: best !== undefined,
    answer: best ? best.snippet.trim() : null,
    source: best ? { id: best.id, title: best.title } : null,
    articles: hits.map((h) => ({ id: h.id, title: h.title, score: Number(h.score.toFixed(2)) })),
  };
}
