import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ZodValidationException } from 'nestjs-zod';
import { ZodError, type z } from 'zod';

/** The error body every endpoint returns (README, "Limits"): never a stack trace. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** Every problem found, when there are several worth listing (a workflow definition's). */
  errors?: unknown[];
}

/** "chatId: expected string, received number; id: required". */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
      if (issue.code === 'unrecognized_keys') {
        const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
        return issue.keys.map((k) => `${prefix}${k}: unknown field`).join('; ');
      }
      if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
        return `${field}: is required`;
      }
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Maps every error to `{statusCode, error, message}`. Validation errors name each field
 * and its problem; anything unexpected is logged with its stack and answered as a plain 500.
 */
/** What a 503 tells the caller to wait before retrying. */
export const RETRY_AFTER_SECONDS = 5;

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      // The stack goes to the log (pino, with the request id), never to the caller.
      const req = http.getRequest<Request>();
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error({ err, method: req?.method, path: req?.path }, `${req?.method} ${req?.path} failed: ${err.message}`);
    }
    if (!res.headersSent) {
      // A dependency that is down, or no worker to answer: worth retrying shortly.
      if (body.statusCode === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(body.statusCode).json(body);
    }
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof ZodValidationException) {
      const zodError = exception.getZodError();
      const message = zodError instanceof ZodError ? describeZodIssues(zodError.issues) : 'invalid input';
      return { statusCode: 400, error: 'Bad Request', message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? ((response as { message: string[] }).message).join('; ')
            : String((response as { message?: unknown }).message ?? exception.message);
      const errors = typeof response === 'object' && response !== null ? (response as { errors?: unknown }).errors : undefined;
      return { statusCode: status, error: reasonPhrase(status), message, ...(Array.isArray(errors) ? { errors } : {}) };
    }
    return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
  }
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (!name) return status >= 500 ? 'Internal Server Error' : 'Bad Request';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
