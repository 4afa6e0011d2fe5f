import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import { activityMetricsInterceptors } from './activity-metrics';
import { WORKFLOW_INTERCEPTOR_MODULES, workflowTracingSinks } from './tracing';

/**
 * What the worker adds for metrics and tracing, in every configuration (so production, the
 * tests and replay run the same workflow code):
 * - activities: a RunActivity span (child of the workflow's StartActivity span, from the
 *   headers), trace ids on activity log lines, and duration/outcome metrics;
 * - workflows: the OpenTelemetry workflow interceptors (RunWorkflow, StartActivity spans),
 *   bundled here when the worker bundles `src/workflows`; a prebuilt bundle must have been
 *   built with `workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES`;
 * - the sink the workflow sandbox exports its spans through.
 */
export function workerObservabilityOptions(prebuiltBundle: boolean): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      ...(prebuiltBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
      activity: [
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
        activityMetricsInterceptors,
      ],
    },
    sinks: workflowTracingSinks(),
  };
}
