import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter used when payload encryption is on: a failure's message and stack
 * trace (a provider's refusal, an LLM error, anything that may quote a customer) move into
 * its `encodedAttributes` payload, which the codec then encrypts; the history shows
 * `Encoded failure` in their place. Every SDK reader (client, worker, workflow sandbox)
 * decodes them back into `message` and `stack`, with or without this converter.
 *
 * Loaded by path (`failureConverterPath`): by the worker and the clients in Node, and bundled
 * into the workflow sandbox by the worker, so this module must stay workflow-safe (no Node APIs).
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
