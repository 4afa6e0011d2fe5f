/**
 * @module knowledge
 * The Markdown knowledge base (`knowledge-base/<lang>/<id>.md`) the inquiry and
 * troubleshooting agents answer from. `getKnowledgeBase()` loads and indexes it once per
 * process; `search` then returns the best articles with the paragraph that answers, in the
 * customer's language when it has a match. Reads files, so activities only: never import
 * it from workflow code.
 */
export * from './front-matter';
export * from './knowledge-base';
