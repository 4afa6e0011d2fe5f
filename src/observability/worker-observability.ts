import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import { activityMetricsInterceptors } from './activity-metrics';
import { WORKFLOW_INTERCEPTOR_MODULES, workflowTracingSinks } from './tracing';

/**
 * What the worker adds for metrics and tracing:
 * - activities: a RunActivity span (child of the workflow's StartActivity span, from the
 *   headers), trace ids on activity log lines, and duration/outcome metrics;
 * - workflows, when tracing is on: the OpenTelemetry workflow interceptors (RunWorkflow,
 *   StartActivity spans), bundled when the worker bundles `src/workflows` (a prebuilt bundle
 *   must have been built with `workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES`).
 *   Off, they are left out of the bundle: every workflow's sandbox evaluates them, which
 *   cost each message ~9 ms of CPU with nothing exported. They add no commands, so a
 *   history replays the same with or without them (the replay test does both);
 * - the sink the workflow sandbox exports its spans through.
 */
export function workerObservabilityOptions(prebuiltBundle: boolean, tracing = true): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      ...(prebuiltBundle || !tracing ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
      activity: [
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
        activityMetricsInterceptors,
      ],
    },
    sinks: workflowTracingSinks(),
  };
}
