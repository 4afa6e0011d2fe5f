import type { HttpMethod, HttpStep, InnerStep } from '../../contracts/run-definition';
import { renderString, renderTemplates, type TemplateContext } from '../../domain/workflow-definitions/templates';
import { runActivityStep, type ActivityCall } from './activity-step';
import { templateContext, type DefinitionRun, type StepContext, type StepResult } from './run-context';

type HttpCall = Extract<InnerStep, { step_type: 'http' }>;

/** The `httpRequest` call of an http step: url, headers and body templated; header values as strings. */
export function callHttp(run: DefinitionRun, step: HttpCall, stepId: string, ctx: TemplateContext): ActivityCall {
  return (activities) => {
    const url = renderString(step.url, ctx);
    const headers = step.headers ? (renderTemplates(step.headers, ctx) as Record<string, unknown>) : undefined;
    return activities.httpRequest({
      executionId: run.executionId,
      stepId,
      method: step.method as HttpMethod,
      url: typeof url === 'string' ? url : JSON.stringify(url ?? ''),
      ...(headers ? { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v ?? '')])) } : {}),
      ...(step.body !== undefined ? { body: renderTemplates(step.body, ctx) } : {}),
    });
  };
}

/** An `http` step: one request to an allow-listed host, made by an activity. */
export async function executeHttp(step: HttpStep, { run, st }: StepContext): Promise<StepResult> {
  return runActivityStep(step, step.step_id, callHttp(run, step, step.step_id, templateContext(run)), st);
}
