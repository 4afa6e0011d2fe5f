'use strict';
/**
 * One instrumenter for every place the project's code runs under test: Jest's own module
 * registry (API, activities, domain) and the workflow sandbox (the bundle the tests' workers
 * run). Both instrument the TypeScript source itself, before it is compiled (ts-jest on one
 * side, the SDK's swc loader on the other), so a file gets the same statement and branch map
 * (and the same hash) wherever it ran, and the two sides' counts add up in one report. No
 * source map is involved: the positions are the source's own.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createInstrumenter } = require('istanbul-lib-instrument');

const ROOT = path.resolve(__dirname, '../../..');
const COVERED = [path.join(ROOT, 'src') + path.sep, path.join(ROOT, 'worker') + path.sep];

const instrumenter = createInstrumenter({
  esModules: true,
  compact: false,
  produceSourceMap: false,
  autoWrap: true,
  // The sandbox has no `global` and may refuse `new Function`: name the global scope directly.
  coverageGlobalScope: 'globalThis',
  coverageGlobalScopeFunc: false,
  parserPlugins: ['typescript', 'decorators-legacy', 'classProperties', 'classPrivateProperties', 'classPrivateMethods', 'topLevelAwait', 'importAttributes', 'dynamicImport'],
});

/** Whether a file's coverage counts: the project's TypeScript under src/ and worker/. */
function covered(filename) {
  return filename.endsWith('.ts') && !filename.endsWith('.d.ts') && COVERED.some((dir) => filename.startsWith(dir));
}

function instrument(source, filename) {
  return instrumenter.instrumentSync(source, filename);
}

/** The empty coverage of a file as it is on disk: what the sandbox's counts are added to. */
function fileCoverage(filename) {
  const code = instrumenter.instrumentSync(fs.readFileSync(filename, 'utf8'), filename);
  // lastFileCoverage() leaves out the hash the instrumented module carries; take it from the code.
  const hash = /var hash = "([0-9a-f]+)"/.exec(code)?.[1];
  return { ...instrumenter.lastFileCoverage(), hash };
}

module.exports = { ROOT, covered, instrument, fileCoverage };
