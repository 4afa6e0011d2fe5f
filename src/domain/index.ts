/**
 * @module domain
 * Pure types and rules: intents, channels, the inbound message schema, keyword triage,
 * entity extraction, the agent registry and routing. Nothing here does I/O, so the
 * workflow bundle may import it.
 */
export * from './agent-registry';
export * from './channels';
export * from './entities';
export * from './intents';
export * from './keyword-triage';
export * from './routing';
export * from './text';
