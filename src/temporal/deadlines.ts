import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/**
 * Every call a client makes to Temporal has a deadline: without one, the SDK's retry
 * interceptor keeps retrying an unreachable frontend for about 20 s while the API's caller
 * waits. A call that sets its own deadline (`connection.withDeadline`) keeps it. Long polls
 * are exempt: waiting for a workflow's result or an update's outcome is what they are for.
 * 10 s: a busy dev server has taken over 5 s to answer a schedule update in CI, and a
 * caller told 503 for a call that would have succeeded gains nothing.
 */
export const DEFAULT_CALL_DEADLINE_MS = 10_000;

const LONG_POLLS = new Set([
  '/temporal.api.workflowservice.v1.WorkflowService/GetWorkflowExecutionHistory',
  '/temporal.api.workflowservice.v1.WorkflowService/PollWorkflowExecutionUpdate',
  '/temporal.api.workflowservice.v1.WorkflowService/UpdateWorkflowExecution',
  '/temporal.api.workflowservice.v1.WorkflowService/ExecuteMultiOperation',
]);

export function deadlineInterceptor(defaultMs = DEFAULT_CALL_DEADLINE_MS): Interceptor {
  return (options, nextCall) => {
    const path = options.method_definition.path;
    const withDeadline = options.deadline === undefined && !LONG_POLLS.has(path) ? { ...options, deadline: Date.now() + defaultMs } : options;
    return new InterceptingCall(nextCall(withDeadline));
  };
}

/** The client connection's interceptors: the deadline outermost, so retries share it; then the SDK's retries. */
export function clientInterceptors(defaultMs = DEFAULT_CALL_DEADLINE_MS): Interceptor[] {
  return [deadlineInterceptor(defaultMs), makeGrpcRetryInterceptor(defaultGrpcRetryOptions())];
}
