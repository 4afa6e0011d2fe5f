import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { agentTools, type AgentName } from '../../domain/agent-registry';
import { APPOINTMENT_TOOLS } from './appointment-tools';
import { CATALOG_TOOLS } from './catalog-tools';
import { KNOWLEDGE_TOOLS } from './knowledge-tools';
import { LEAD_TOOLS } from './lead-tools';
import { ORDER_TOOLS } from './order-tools';
import { PROFILE_TOOLS } from './profile-tools';
import type { AnyTool } from './tool';

/**
 * Every tool, by name. Which agent may call which is the agent registry's `tools` list
 * (src/domain/agent-registry.ts): a tool is offered to, and runs for, the agents that list it.
 */
export const TOOLS: readonly AnyTool[] = [...APPOINTMENT_TOOLS, ...ORDER_TOOLS, ...CATALOG_TOOLS, ...KNOWLEDGE_TOOLS, ...PROFILE_TOOLS, ...LEAD_TOOLS];

const BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));

/** The tool `name` when `agent` may call it; undefined for an unknown tool or another agent's. */
export function toolFor(agent: AgentName, name: string): AnyTool | undefined {
  return agentTools(agent).includes(name) ? BY_NAME.get(name) : undefined;
}

export function toolNamed(name: string): AnyTool | undefined {
  return BY_NAME.get(name);
}

/**
 * The tool's arguments as the JSON schema the Chat Completions API reads: an object schema,
 * every object closed (`additionalProperties: false`), no `$schema` or `$ref`.
 */
export function parametersOf(tool: AnyTool): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return schema;
}

const definitions = new Map<AgentName, ChatCompletionFunctionTool[]>();

/** The tools `agent` acts through in LLM mode, as Chat Completions `tools`; empty for an agent without tools. */
export function toolDefinitionsFor(agent: AgentName): ChatCompletionFunctionTool[] {
  let list = definitions.get(agent);
  if (!list) {
    list = agentTools(agent).map((name) => {
      const tool = BY_NAME.get(name);
      if (!tool) throw new Error(`agent ${agent} lists tool ${name}, which does not exist`);
      return { type: 'function' as const, function: { name: tool.name, description: tool.description, parameters: parametersOf(tool) } };
    });
    definitions.set(agent, list);
  }
  return list;
}
