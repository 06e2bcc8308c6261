/**
 * Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, for end-to-end specs.
 * Without Chromium the spec is pending with the reason printed; under CI=true it fails.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches Chromium, or marks the mocha context pending (fails under CI) when it is missing.
 * `extraArgs` go after the defaults (e.g. `--host-resolver-rules=...` to give 127.0.0.1 names).
 */
export async function launchBrowser(context: { skip(): void }, extraArgs: readonly string[] = []): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    const reason = `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
    if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it.`);
    console.log(`      pending: ${reason}`);
    context.skip();
    return undefined;
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/** What a gated page did that a spec did not expect. */
export interface PageGate {
  /** Page errors (uncaught exceptions, Datastar expression errors). */
  readonly pageErrors: string[];
  /** Console errors not matched by an expectation. */
  readonly consoleErrors: string[];
  /** Responses with status 404 (a missing asset, a favicon). */
  readonly notFound: string[];
  /** Allows console errors matching `pattern` while `during` runs (an event the step expects refused). */
  expecting<T>(pattern: RegExp, during: () => Promise<T>): Promise<T>;
  /** Throws, naming every unexpected error so far, and forgets them. */
  check(where: string): void;
}

/**
 * Watches a page for everything that means it broke in the browser: any `pageerror`, any console
 * error the spec did not expect (narrowly, with `expecting`), any 404. Call `check` after each step.
 */
export function gatePage(page: import('playwright-core').Page): PageGate {
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const notFound: string[] = [];
  const expected: RegExp[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message.split('\n')[0] ?? error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (!expected.some((pattern) => pattern.test(text))) consoleErrors.push(text);
  });
  page.on('response', (response) => {
    if (response.status() === 404) notFound.push(response.url());
  });
  return {
    pageErrors, consoleErrors, notFound,
    async expecting(pattern, during) {
      expected.push(pattern);
      try {
        return await during();
      } finally {
        expected.splice(expected.indexOf(pattern), 1);
      }
    },
    check(where) {
      const problems = [...pageErrors.map((text) => `page error: ${text}`), ...consoleErrors.map((text) => `console error: ${text}`), ...notFound.map((url) => `404: ${url}`)];
      pageErrors.length = 0;
      consoleErrors.length = 0;
      notFound.length = 0;
      if (problems.length > 0) throw new Error(`${where}: the page broke in the browser:\n  ${problems.join('\n  ')}`);
    },
  };
}
