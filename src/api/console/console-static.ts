import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** The path the console is served at; the build writes asset URLs under it. */
export const CONSOLE_PATH = '/console';

/**
 * The console's own content security policy, tighter than helmet's default: scripts,
 * styles, fonts and API calls (fetch and the event stream) from this origin only, images
 * from it or data: URLs (chart exports), nothing inline, no eval, never framed. Unlike
 * helmet's default it does not upgrade requests to https, so a phone on the office network
 * can use a plain-http API.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const MISSING_BUILD = 'the console is not built: run npm run build (or npm run build:console), then reload';

/**
 * The repository's `console/dist`: found by walking up from this file to the package root,
 * so it works from `src/api/console` (ts-jest, ts-node) and from `dist/src/api/console`
 * (compiled) alike.
 */
export function locateConsoleDist(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && isSwitchboardPackage(manifest)) return path.join(dir, 'console', 'dist');
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('console', 'dist');
    dir = parent;
  }
}

function isSwitchboardPackage(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'switchboard';
  } catch {
    return false;
  }
}

function unavailable(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Retry-After', '30');
  res.status(503).json({ statusCode: 503, error: 'Service Unavailable', message: MISSING_BUILD });
}

/**
 * Serves the built console under `/console`: `index.html` at `/console` and `/console/`
 * (never cached, so a new build is picked up at once), hashed assets under
 * `/console/assets/` (cached for a year: their names change with their content), the
 * favicon. The build is looked for on every request, so building while the API runs works
 * without a restart; a missing build answers 503 saying how to make one. The page is
 * public; every piece of data it shows comes from the API, with the person's key.
 */
export function consoleMiddleware(distDir: string): RequestHandler {
  const assets = express.static(path.join(distDir, 'assets'), {
    index: false,
    immutable: true,
    maxAge: '365d',
    fallthrough: true,
    redirect: false,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    if (req.path === '/' || req.path === '') return void sendIndex(distDir, res, next);
    if (req.path === '/favicon.svg') {
      res.setHeader('Cache-Control', 'public, max-age=86400');
      return res.sendFile(path.join(distDir, 'favicon.svg'), (err) => {
        if (err && !res.headersSent) next();
      });
    }
    if (req.path.startsWith('/assets/')) {
      if (!existsSync(distDir)) return unavailable(res);
      req.url = req.url.slice('/assets'.length);
      return assets(req, res, () => {
        req.url = `/assets${req.url}`;
        next();
      });
    }
    return next();
  };
}

async function sendIndex(distDir: string, res: Response, next: NextFunction): Promise<void> {
  let html: string;
  try {
    html = await readFile(path.join(distDir, 'index.html'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return unavailable(res);
    return next(err);
  }
  res.setHeader('Cache-Control', 'no-cache');
  res.type('html').send(html);
}
