import type { BundleOptions } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../../src/observability/tracing';

/**
 * What the tests' workflow bundle adds when Jest collects coverage: the project's TypeScript
 * instrumented before swc compiles it (the same instrumenter as Jest's transform), and the
 * interceptor that sends the sandbox's counts out (workflow-interceptor.ts).
 */
export function coverageBundleOptions(): Pick<BundleOptions, 'webpackConfigHook' | 'workflowInterceptorModules'> {
  return {
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES, require.resolve('./workflow-interceptor')],
    webpackConfigHook: (config) => ({
      ...config,
      module: {
        ...config.module,
        rules: [...(config.module?.rules ?? []), { test: /\.ts$/, enforce: 'pre', use: { loader: require.resolve('./webpack-loader.js') } }],
      },
    }),
  };
}
