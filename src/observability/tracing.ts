import { AsyncLocalStorage } from 'node:async_hooks';
import { context, propagation, ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter, type OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSink } from '@temporalio/worker';

/**
 * The workflow interceptor module of `@temporalio/interceptors-opentelemetry`. It must be in
 * the workflow bundle: passed to `bundleWorkflowCode({ workflowInterceptorModules })` for a
 * prebuilt bundle (tests), or to `Worker.create({ interceptors: { workflowModules } })` when
 * the worker bundles `src/workflows` itself (production).
 */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/**
 * OpenTelemetry's context manager on Node's AsyncLocalStorage: the active span follows
 * `await`s, so a span started for an HTTP request is the parent of the Temporal client's
 * StartWorkflow span inside the handler. (`@opentelemetry/context-async-hooks` is not a
 * dependency here; this is the same idea in a few lines.)
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  private storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const bound = thisArg === undefined ? fn : (fn.bind(thisArg) as F);
    return this.storage.run(ctx, bound, ...args);
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

export interface TracingOptions {
  serviceName: string;
  /** Which process this is (`api`, `worker`): the resource attribute `switchboard.component`. */
  component?: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string;
  /** Extra exporters, each behind a SimpleSpanProcessor (tests pass an InMemorySpanExporter). */
  exporters?: SpanExporter[];
}

export interface Tracing {
  provider: BasicTracerProvider;
  resource: Resource;
  /** Every span of this process goes through it; the workflow span sink feeds it too. */
  spanProcessor: SpanProcessor;
  /** Flushes and stops the exporters and unregisters the global provider. */
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/**
 * Registers a global tracer provider (W3C trace context propagation, AsyncLocalStorage
 * context) exporting by OTLP/HTTP when an endpoint is configured. Returns undefined, and
 * registers nothing, when there is nowhere to send spans: the interceptors then cost little
 * and record nothing.
 */
export function installTracing(options: TracingOptions): Tracing | undefined {
  if (installed) throw new Error('tracing is already installed in this process');
  const processors: SpanProcessor[] = [];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  for (const exporter of options.exporters ?? []) processors.push(new SimpleSpanProcessor(exporter));
  if (processors.length === 0) return undefined;

  const resource = new Resource({
    'service.name': options.serviceName,
    ...(options.component ? { 'switchboard.component': options.component } : {}),
  });
  const provider = new BasicTracerProvider({ resource, spanProcessors: processors });
  provider.register({
    contextManager: new AsyncLocalStorageContextManager(),
    propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
  const tracing: Tracing = {
    provider,
    resource,
    spanProcessor: provider.getActiveSpanProcessor(),
    async shutdown() {
      if (installed === tracing) installed = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  installed = tracing;
  return tracing;
}

export function currentTracing(): Tracing | undefined {
  return installed;
}

/**
 * The sink through which the workflow sandbox hands its spans (RunWorkflow, StartActivity…)
 * to this process's span processor. Always registered, because the workflow interceptors
 * are always in the bundle; it looks the tracing up per call, so a worker created before
 * tracing was installed still exports, and without tracing the spans are dropped here.
 * Workflow spans carry the same `temporalWorkflowId` and `run_id` attributes as activity spans.
 */
export function workflowTracingSinks(): { exporter: InjectedSink<OpenTelemetryWorkflowExporter> } {
  let forTracing: Tracing | undefined;
  let sink: InjectedSink<OpenTelemetryWorkflowExporter> | undefined;
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          const tracing = installed;
          if (!tracing) return;
          if (forTracing !== tracing || !sink) {
            forTracing = tracing;
            sink = makeWorkflowExporter(tracing.spanProcessor, tracing.resource);
          }
          // The SDK copies the whole WorkflowInfo onto every span: search attributes (ChatId is
          // a phone number), memo, nested objects. Only these identifiers travel.
          const attributes = {
            temporalWorkflowId: info.workflowId,
            run_id: info.runId,
            workflowType: info.workflowType,
            taskQueue: info.taskQueue,
            namespace: info.namespace,
          };
          return sink.export.fn(attributes as unknown as typeof info, spans);
        },
      },
    },
  };
}
