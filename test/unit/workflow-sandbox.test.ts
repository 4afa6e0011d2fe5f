import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawnSync } from 'node:child_process';

const root = path.resolve(__dirname, '../..');
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('workflow code stays deterministic', () => {
  it('bundles src/workflows with nothing the sandbox forbids', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(root, 'src/workflows'), logger: quiet });
    expect(code).toContain('handleMessage');
  });

  it('fails the bundle when workflow code imports a Node built-in', async () => {
    await expect(
      bundleWorkflowCode({ workflowsPath: path.join(root, 'test/fixtures/forbidden-workflow/index.ts'), logger: quiet }),
    ).rejects.toThrow(/fs/);
  });

  /** Lints source text as if it were a file under src/workflows, with the project's own config. */
  function lintAsWorkflow(source: string): Array<{ ruleId: string | null; line: number }> {
    // ESLint loads its flat config with a dynamic import, which Jest's VM cannot run; a
    // child process runs the real CLI instead.
    const result = spawnSync(
      path.join(root, 'node_modules/.bin/eslint'),
      ['--format', 'json', '--stdin', '--stdin-filename', path.join(root, 'src/workflows/example.workflow.ts')],
      { cwd: root, input: source, encoding: 'utf8' },
    );
    const [report] = JSON.parse(result.stdout) as Array<{ messages: Array<{ ruleId: string | null; line: number }> }>;
    return report.messages;
  }

  it('lint refuses I/O imports in src/workflows but allows type imports', () => {
    const bad = lintAsWorkflow(
      "import { Injectable } from '@nestjs/common';\nimport { DataSource } from 'typeorm';\nimport { readFileSync } from 'node:fs';\nexport const x = [Injectable, DataSource, readFileSync];\n",
    );
    expect(bad.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.line)).toEqual([1, 2, 3]);

    const ok = lintAsWorkflow(
      "import type { Activities } from '../activities';\nimport { proxyActivities } from '@temporalio/workflow';\nexport const a = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });\n",
    );
    expect(ok.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')).toEqual([]);
  });
});
