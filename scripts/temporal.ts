import { spawn } from 'node:child_process';
import { ensureTemporalCli } from '../src/devserver/temporal-cli';

/**
 * `npm run temporal -- <args>`: the project's Temporal CLI (found, or built once with Go).
 * The CLI reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE from the environment itself.
 */
async function main(): Promise<void> {
  const cli = await ensureTemporalCli();
  const child = spawn(cli.path, process.argv.slice(2), { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
