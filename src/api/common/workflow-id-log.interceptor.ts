import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { tap, type Observable } from 'rxjs';

/** Route parameters and answer fields that name the workflow a request is about. */
const PARAM_NAMES = ['workflowId', 'executionId'] as const;
const BODY_FIELDS = ['workflowId', 'execution_id'] as const;

/**
 * Notes the workflow a request touched on `res.locals.workflowId`, from its path or its
 * answer (`POST /api/messages` learns it only then), so the request's log line carries it
 * and an operator can go from a log line to the workflow in the Web UI.
 */
@Injectable()
export class WorkflowIdLogInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    for (const name of PARAM_NAMES) {
      const value = req.params?.[name];
      if (typeof value === 'string') res.locals.workflowId = value;
    }
    return next.handle().pipe(
      tap((body: unknown) => {
        if (typeof body !== 'object' || body === null) return;
        for (const field of BODY_FIELDS) {
          const value = (body as Record<string, unknown>)[field];
          if (typeof value === 'string') res.locals.workflowId = value;
        }
      }),
    );
  }
}

/** pino-http `customProps`: the workflow id noted above, on the request's log line. */
export function workflowIdLogProps(_req: unknown, res: { locals?: Record<string, unknown> }): Record<string, unknown> {
  const workflowId = res.locals?.workflowId;
  return typeof workflowId === 'string' ? { workflowId } : {};
}
