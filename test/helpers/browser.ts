import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Where the browser tests write their screenshots, for people to look at (git-ignored). */
export const REPORTS_DIR = path.resolve(__dirname, '../../reports/console');

/** Debian's package installs `chromium`; other systems name it otherwise. `CHROMIUM_PATH` wins. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium the tests drive; a clear failure (never a skip) when there is none. */
export function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured}: no such file`);
    return configured;
  }
  const found = CANDIDATES.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(`no Chromium found (looked for ${CANDIDATES.join(', ')}): install Debian's package (apt-get install chromium) or set CHROMIUM_PATH; .ci/run installs it`);
  }
  return found;
}

/** What went wrong in a page: console errors and uncaught exceptions, which the tests refuse. */
export interface PageProblems {
  errors: string[];
}

export interface TestBrowser {
  browser: Browser;
  /** A fresh tab in its own context (its own sessionStorage), watched for console errors. */
  open(options?: { viewport?: { width: number; height: number } }): Promise<{ page: Page; context: BrowserContext; problems: PageProblems }>;
  close(): Promise<void>;
}

/** Headless Chromium, driven by playwright-core (which downloads nothing). */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in CI containers has no user namespace for the sandbox; /dev/shm may be small.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async open(options = {}) {
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 860 } });
      contexts.push(context);
      const page = await context.newPage();
      const problems: PageProblems = { errors: [] };
      page.on('console', (message: ConsoleMessage) => {
        if (message.type() === 'error') problems.errors.push(`console: ${message.text()} (${message.location().url})`);
      });
      page.on('pageerror', (error) => problems.errors.push(`page error: ${error.message}`));
      return { page, context, problems };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Writes a full-page screenshot under reports/console/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(REPORTS_DIR, { recursive: true });
  const file = path.join(REPORTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
