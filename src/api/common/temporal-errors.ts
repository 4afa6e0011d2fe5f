import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';

/** gRPC status codes that mean "the cluster is not reachable right now". */
const UNAVAILABLE = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e) && UNAVAILABLE.has(e.code)) return true;
  }
  return false;
}

/**
 * Translates Temporal client errors into HTTP errors: a missing workflow is a 404, an
 * unreachable cluster a 503 the caller can retry (so a provider redelivers: nothing lost).
 */
export function toHttpError(err: unknown, workflowId?: string): unknown {
  if (err instanceof WorkflowNotFoundError) {
    return new NotFoundException(`workflowId: no workflow ${workflowId ?? err.workflowId}`);
  }
  if (isUnavailable(err)) {
    return new ServiceUnavailableException('temporal: the workflow service is unavailable; retry later');
  }
  return err;
}
