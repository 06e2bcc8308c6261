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
