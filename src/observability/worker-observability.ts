import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import { activityMetricsInterceptors } from './activity-metrics';
import { WORKFLOW_INTERCEPTOR_MODULES, workflowTracingSinks } from './tracing';

/**
 * What the worker adds for metrics and tracing:
 * - activities: a RunActivity span (child of the workflow's StartActivity span, from the
 *   headers), trace ids on activity log lines, and duration/outcome metrics;
 * - workflows: the OpenTelemetry workflow interceptors (RunWorkflow, StartActivity spans),
 *   bundled when the worker bundles `src/workflows` (a prebuilt bundle must have been built
 *   with `workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES`). Always, whether or not
 *   a trace exporter is configured: they wrap each scheduled activity, timer-free child start
 *   and handled signal in async spans, which adds microtask turns, so where two completions
 *   land in one workflow task (a DAG's parallel steps) the order of the next commands can
 *   differ with and without them. Bundling them only when tracing is on made turning tracing
 *   on or off a code change that could break runs in flight. They cost each workflow ~9 ms
 *   of CPU evaluating their modules (README, "Benchmarks");
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
