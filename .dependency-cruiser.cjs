/**
 * The layers, as rules a tool keeps: `npm run lint:layers` (part of `npm test`) fails on any
 * import that crosses them. docs/architecture.md explains each layer; this file is the source
 * of truth for who may import whom.
 *
 *   contracts   what crosses a process boundary; imports domain types only
 *   domain      pure rules and types; nothing with I/O
 *   workflows   deterministic code: @temporalio/workflow, contracts, domain (activity types only)
 *   activities  side effects, built from ports (persistence, channels, llm, knowledge, ...)
 *   api         NestJS over the Temporal client and the read side; never activities or workflows
 *   worker      the worker process: everything but the API
 *
 * Type-only imports are allowed where a layer needs another's shapes (a workflow proxies its
 * activities by their types; the API starts a workflow by its type); they are erased when
 * compiled and carry no code across.
 */

/** Pure libraries the domain and workflow code may use: no I/O, no clock, no randomness of their own. */
const PURE_LIBRARIES = ['luxon', 'json-logic-js', 'zod'];
const pure = `^node_modules/(${PURE_LIBRARIES.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'workflows-allow-list',
      comment:
        'Workflow code is bundled into the deterministic sandbox: it imports @temporalio/workflow, src/contracts, src/domain and other workflow files; activity and other layers only as types.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: {
        dependencyTypesNot: ['type-only'],
        pathNot: ['^src/workflows/', '^src/contracts/', '^src/domain/', '^node_modules/@temporalio/(workflow|common)/', pure],
      },
    },
    {
      name: 'domain-is-pure',
      comment: 'The domain holds pure types and rules: it imports only other domain files and pure libraries.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypesNot: ['type-only'], pathNot: ['^src/domain/', pure] },
    },
    {
      name: 'contracts-import-domain-types-only',
      comment: 'Contracts name what crosses a process boundary: they may use domain types, not domain code, and nothing else but the SDK.',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: {
        pathNot: ['^src/contracts/', '^node_modules/@temporalio/(workflow|common)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'api-never-imports-activities-or-workflow-code',
      comment: 'The API drives workflows through the Temporal client and reads the read side: activity and workflow implementations are the worker\'s.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: ['^src/activities/', '^src/workflows/', '^worker/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-the-api-imports-the-api',
      comment: 'Nothing below the API depends on NestJS modules.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/api/' },
      to: { path: '^src/api/' },
    },
    {
      name: 'lower-layers-never-import-activities-or-workflows',
      comment: 'Persistence, channels, llm, knowledge, config, codec, observability, tasks and temporal helpers are ports the activities use, never the other way round.',
      severity: 'error',
      from: { path: '^src/(persistence|channels|llm|knowledge|config|codec|observability|tasks|temporal|devserver)/' },
      to: { path: ['^src/activities/', '^src/workflows/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders of src import each other in one direction only.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { circular: true, path: '^src/([^/]+)/', pathNot: '^src/$1/' },
    },
    {
      name: 'no-file-cycles',
      comment: 'No file imports itself through others, types aside.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^test/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
