/**
 * The web console in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core).
 *
 * ensureConsoleBuilt(): builds dist/console once per source change (a content hash of src/console;
 * a lock folder serialises the test processes that start at once), so `npm test` after `npm ci`
 * works without `npm run build`.
 * launchChromium(): one browser per test file; each test gets a fresh context (no shared storage).
 * openConsole(): a page that records every console error and page error (tests assert none).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type StartOptions, type TestServer } from './server.js';
import { ROOT } from './cli.js';

export const CHROMIUM = process.env.LOGSNAP_CHROMIUM ?? '/usr/bin/chromium';

/** Why the Chromium tests cannot run here (never skipped under CI=true), or null. */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === 'true') throw new Error(`CI=true but Chromium is missing at ${CHROMIUM} (.ci/run installs the Debian package "chromium")`);
  return `Chromium not installed at ${CHROMIUM}`;
}

let built: Promise<{ total: number }> | undefined;

/** Build the console unless dist/console matches src/console (once per process, locked across processes). */
export function ensureConsoleBuilt(): Promise<{ total: number }> {
  built ??= (async () => {
    const lock = join(ROOT, 'dist', '.console-build-lock');
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    const until = Date.now() + 180_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        // a lock older than 3 minutes belongs to a dead process
        const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
        if (age > 180_000) rmSync(lock, { recursive: true, force: true });
        if (Date.now() > until) throw new Error('timed out waiting for another process building the console');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    try {
      const { buildConsole } = (await import(join(ROOT, 'scripts', 'build-console.mjs'))) as { buildConsole(o: object): Promise<{ total: number }> };
      return await buildConsole({ ifChanged: true, quiet: true });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  })();
  return built;
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export interface ChromiumHandle {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * One Chromium for a test file. playwright-core starts it with a fresh --user-data-dir of its own
 * (a new temporary profile per launch, removed when the browser closes; it refuses the flag in
 * `args`), and every test opens its own context on top.
 */
export async function launchChromium(): Promise<ChromiumHandle> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** console errors and uncaught page errors seen so far */
  errors: string[];
  downloadsDir: string;
  close(): Promise<void>;
}

/** A fresh context and page at `url`, recording console errors and page errors. */
export async function openConsole(browser: Browser, url: string, opts: { viewport?: { width: number; height: number } } = {}): Promise<ConsolePage> {
  const downloadsDir = mkdtempSync(join(tmpdir(), 'logsnap-dl-'));
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    // confirmations the tests mean to accept are accepted; an alert() would be an injected script
    if (d.type() === 'confirm') void d.accept();
    else {
      errors.push(`dialog: ${d.type()} ${d.message()}`);
      void d.dismiss();
    }
  });
  await page.goto(url);
  return {
    page, context, errors, downloadsDir,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(downloadsDir, { recursive: true, force: true });
    },
  };
}

/** Sign in through the form. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Follow a link of the main navigation (Overview, Jobs, Administration). */
export async function nav(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}

/**
 * In a describe block: a server (started with `opts`) and one Chromium for its tests, the console
 * built first; both stopped after. Read `s` and `chrome` inside the tests.
 */
export function withConsoleServer(opts: StartOptions): { s: TestServer; chrome: ChromiumHandle } {
  const box = {} as { s: TestServer; chrome: ChromiumHandle };
  before(async () => {
    await ensureConsoleBuilt();
    [box.s, box.chrome] = await Promise.all([startServer(opts), launchChromium()]);
  });
  after(async () => {
    await box.chrome?.close();
    await box.s?.close();
  });
  return box;
}
