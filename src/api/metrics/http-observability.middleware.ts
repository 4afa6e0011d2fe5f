import { Injectable, type NestMiddleware } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration } from '../../observability/metrics';

/** Where the middleware is mounted: every path. */
export const ALL_ROUTES = '{*path}';

/**
 * The route template (`/api/messages/:workflowId`), never the raw path: bounded label values.
 * A request no handler matched still carries the middleware's own catch-all route.
 */
function routeOf(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route !== 'string' || route.includes(ALL_ROUTES)) return 'unmatched';
  return `${req.baseUrl ?? ''}${route}` || '/';
}

/**
 * One span and one latency observation per HTTP request. The span is active while the
 * request is handled, so the Temporal client's StartWorkflow span (and through it the
 * workflow and its activities) joins the caller's trace; an incoming `traceparent` header
 * makes the request itself part of an upstream trace.
 */
@Injectable()
export class HttpObservabilityMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    // Looked up per request: the global provider may be registered after this module loads.
    const span = trace.getTracer('switchboard-api').startSpan(
      `HTTP ${req.method}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': (req.originalUrl ?? req.url).split('?')[0] } },
      parent,
    );
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const route = routeOf(req);
      const status = res.statusCode;
      httpRequestDuration.observe({ method: req.method, route, status: String(status) }, Number(process.hrtime.bigint() - started) / 1e9);
      span.updateName(`HTTP ${req.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', finish);
    res.once('close', finish);
    context.with(trace.setSpan(parent, span), next);
  }
}
