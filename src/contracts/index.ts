/**
 * @module contracts
 * Everything that crosses a process boundary: task-queue names, workflow-id builders,
 * search attributes, and each workflow's input, result, signals, queries and updates.
 * Shared by workflows, the worker and the API; pure, so the workflow bundle may import it.
 */
export * from './follow-up';
export * from './handle-message';
export * from './reminder';
export * from './tasks';
export * from './search-attributes';
export * from './task-queue';
export * from './workflow-ids';
export * from './run-definition';
export * from './conversation';
export * from './llm-failure-types';
export * from './agent-tools';
export * from './events';
