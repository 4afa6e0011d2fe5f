import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { tap, type Observable } from 'rxjs';

/** Route parameters and answer fields that name the workflow a request is about. */
const PARAM_NAMES = ['workflowId', 'executionId'] as const;
const BODY_FIELDS = ['workflowId', 'execution_id'] as const;

/**
 * Binds the workflow a request touches to the request's logger, from its path before the
 * handler runs, or from its answer (`POST /api/messages` learns it only then), so the
 * request's lines, its completion line included, lead an operator to the workflow.
 */
@Injectable()
export class WorkflowIdLogInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    let bound: string | undefined;
    const bind = (workflowId: unknown) => {
      if (typeof workflowId !== 'string' || workflowId === bound) return;
      bound = workflowId;
      this.logger.assign({ workflowId });
    };
    for (const name of PARAM_NAMES) bind(req.params?.[name]);
    return next.handle().pipe(
      tap((body: unknown) => {
        if (typeof body !== 'object' || body === null) return;
        for (const field of BODY_FIELDS) bind((body as Record<string, unknown>)[field]);
      }),
    );
  }
}
