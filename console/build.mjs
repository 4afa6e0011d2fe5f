// Builds the operator console (console/src) into console/dist, which the API serves at /console.
//   node console/build.mjs                  build into console/dist
//   node console/build.mjs --out <dir>      build elsewhere (tests)
//   node console/build.mjs --if-possible    skip quietly when esbuild is not installed (npm's
//                                           `prepare` on a production install without dev dependencies)
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(here, 'dist'));
const ifPossible = args.includes('--if-possible');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (err) {
  if (!ifPossible) throw err;
  process.stdout.write('[console] esbuild is not installed (production install?): the console was not built\n');
  process.exit(0);
}

const started = Date.now();
// Built beside the target and swapped in at the end, so an API serving the old build while
// this runs never finds a half-written one.
const finalDir = outDir;
const buildDir = `${finalDir}.building-${process.pid}`;
await rm(buildDir, { recursive: true, force: true });
await mkdir(buildDir, { recursive: true });

// Hashed names: the API serves assets/ with a year-long cache and index.html with none.
const result = await esbuild.build({
  entryPoints: { app: path.join(here, 'src/main.tsx'), styles: path.join(here, 'styles.css') },
  outdir: path.join(buildDir, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: 'es2020',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});

const outputFor = (entry) => {
  const found = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint && path.resolve(o.entryPoint) === path.resolve(here, entry));
  if (!found) throw new Error(`esbuild produced no output for ${entry}`);
  return `/console/assets/${path.basename(found[0])}`;
};

const template = await readFile(path.join(here, 'index.html'), 'utf8');
const html = template.replace('{{styles}}', outputFor('styles.css')).replace('{{app}}', outputFor('src/main.tsx'));
if (html.includes('{{')) throw new Error('console/index.html has a placeholder the build does not fill');
await writeFile(path.join(buildDir, 'index.html'), html);
await copyFile(path.join(here, 'favicon.svg'), path.join(buildDir, 'favicon.svg'));
await rm(finalDir, { recursive: true, force: true });
await rename(buildDir, finalDir);

const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + (o.bytes ?? 0), 0);
process.stdout.write(`[console] built into ${path.relative(process.cwd(), finalDir) || '.'} in ${Date.now() - started} ms (${Math.round(bytes / 1024)} KB with source maps)\n`);
