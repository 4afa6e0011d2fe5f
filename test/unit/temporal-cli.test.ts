import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, findTemporalCli, TemporalCliNotFoundError, TEMPORAL_CLI_VERSION } from '../../src/devserver/temporal-cli';
import { searchAttributeArgs } from '../../src/devserver/dev-server';

function executable(dir: string, name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

describe('finding the Temporal CLI', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-cli-'));

  it('prefers TEMPORAL_CLI_PATH, then PATH', () => {
    const explicit = executable(dir, 'my-temporal');
    const pathDir = mkdtempSync(path.join(os.tmpdir(), 'sb-path-'));
    executable(pathDir, 'temporal');
    expect(findTemporalCli({ TEMPORAL_CLI_PATH: explicit, PATH: pathDir })).toEqual({ path: explicit, source: 'env' });
    const saved = process.env.PATH;
    process.env.PATH = pathDir;
    try {
      expect(findTemporalCli({})).toEqual({ path: path.join(pathDir, 'temporal'), source: 'path' });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('refuses a TEMPORAL_CLI_PATH that is not executable, naming it', () => {
    const plain = path.join(dir, 'not-executable');
    writeFileSync(plain, '');
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: plain })).toThrow(TemporalCliNotFoundError);
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: plain })).toThrow(/TEMPORAL_CLI_PATH=.*not-executable/);
  });

  it('caches builds outside the repository, keyed by version', () => {
    expect(cacheDir()).toContain(path.join('switchboard', 'temporal-cli', TEMPORAL_CLI_VERSION));
    expect(cacheDir().startsWith(path.resolve(__dirname, '../..'))).toBe(false);
  });

  it('registers the four custom search attributes as keywords', () => {
    expect(searchAttributeArgs()).toEqual([
      '--search-attribute', 'ChatId=Keyword',
      '--search-attribute', 'Intent=Keyword',
      '--search-attribute', 'Agent=Keyword',
      '--search-attribute', 'Channel=Keyword',
    ]);
  });
});
