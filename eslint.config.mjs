// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What workflow code must never import: Node built-ins and anything that does I/O. */
const FORBIDDEN_IN_WORKFLOWS = [
  ...builtinModules.flatMap((m) => [m, `node:${m}`]),
  '@nestjs/*',
  'typeorm',
  'better-sqlite3',
  'pg',
  'openai',
  'pino',
  'express',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

/** What the operator console's code (console/src) may use: the browser's own globals. */
const BROWSER_GLOBALS = Object.fromEntries(
  [
    'window', 'document', 'navigator', 'location', 'history', 'sessionStorage', 'fetch', 'Headers', 'Request', 'Response',
    'AbortController', 'AbortSignal', 'TextDecoder', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval',
    'clearInterval', 'getComputedStyle', 'HTMLElement', 'HTMLCanvasElement', 'Event', 'ReadableStream',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'test/fixtures/**', 'console/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', require: 'readonly', __dirname: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Logs go through pino, so every line is structured and carries the workflow id.
    files: ['src/**/*.ts', 'worker/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Workflow code is bundled and replayed: it must stay deterministic. Types may still
    // be imported from anywhere (activity types, for proxyActivities).
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: FORBIDDEN_IN_WORKFLOWS.filter((m) => !m.includes('*')).map((name) => ({
            name,
            message: 'Workflow code must stay deterministic: no I/O modules (type imports are fine).',
            allowTypeImports: true,
          })),
          patterns: [
            {
              group: ['@nestjs/*', '**/activities', '**/activities/*', '**/persistence', '**/persistence/*', '**/api/*', '**/config', '**/config/*', '**/devserver/*', '**/observability/*'],
              message: 'Workflows import only @temporalio/workflow, src/domain and src/contracts (type imports are fine).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // A workflow reads as its story: named phases, none longer than a screen.
    files: ['src/workflows/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The operator console runs in the browser. Nothing goes to its console: errors are
    // shown on the page (and the browser tests fail on any console error).
    files: ['console/src/**/*.ts', 'console/src/**/*.tsx'],
    languageOptions: { globals: BROWSER_GLOBALS },
    rules: { 'no-console': 'error' },
  },
  {
    files: ['console/build.mjs'],
    languageOptions: { sourceType: 'module', globals: { process: 'readonly' } },
  },
);
