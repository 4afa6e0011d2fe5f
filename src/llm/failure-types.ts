/** The LLM activities' failure types live with the contracts, where workflows can read them. */
export * from '../contracts/llm-failure-types';
