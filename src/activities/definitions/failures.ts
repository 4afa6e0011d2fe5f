import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';

/** Failure types of the definition activities; the workflow and the API read them. */
export const DEFINITION_FAILURES = {
  agentTaskNotFound: 'AgentTaskNotFound',
  invalidParameters: 'InvalidParameters',
  hostNotAllowed: 'HostNotAllowed',
  httpStatus: 'HttpStatus',
  httpNetwork: 'HttpNetworkError',
  httpTimeout: 'HttpTimeout',
  definitionNotFound: 'DefinitionNotFound',
} as const;

/** A step's input that no retry can fix: non-retryable `InvalidParameters`. */
export function invalidParameters(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, DEFINITION_FAILURES.invalidParameters);
}

/** A zod error as one line, each problem named by its field under `prefix`. */
export function describeIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}
