/**
 * Helpers for the operations plugin's specs: an in-process app with the web and ops plugins on a
 * free port whose log lines are captured, a Prometheus text parser, and a private redis-server.
 */
import { fileURLToPath } from 'node:url';
import { createApp, type App, type EntityClass, type Logger, type StarmodelConfig, type Store } from '../../../kernel/index.js';
import { consoleLogger } from '../../../kernel/index.js';
import type { WebService } from '../../../plugins/koa/index.js';

/** The ops plugin's folder: loaded by path, as an app that does not depend on it yet would. */
export const OPS_PLUGIN = fileURLToPath(new URL('../../../plugins/ops', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Collects the lines a pino destination receives. */
export class LogCapture {
  readonly raw: string[] = [];
  write(line: string): void {
    this.raw.push(line);
  }

  /** Every line as parsed JSON (JSON format only). */
  get lines(): Record<string, unknown>[] {
    return this.raw.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Everything written, as one text (for "never contains" checks). */
  get text(): string {
    return this.raw.join('');
  }
}

/** An app with the web and ops plugins, listening on 127.0.0.1 with a free port. */
export interface OpsApp {
  readonly app: App;
  readonly url: string;
  readonly web: WebService;
  readonly logs: LogCapture;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** GET with `Accept: application/json`, parsed. */
  json<T = Record<string, unknown>>(path: string, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** Starts an app with the ops plugin (JSON logs captured) and the given entities and options. */
export async function startOpsApp(entities: EntityClass[], opsOptions: Record<string, unknown> = {}, extra: { koa?: Record<string, unknown>; config?: StarmodelConfig; logger?: Logger; stores?: Record<string, Store> } = {}): Promise<OpsApp> {
  const logs = new LogCapture();
  const app = await createApp({
    dir: root, ignoreConfigFile: true, entities, logger: extra.logger ?? consoleLogger('silent'),
    config: { secret: 'spec-secret-0123456789abcdef', ...extra.config, plugins: { [OPS_PLUGIN]: { logStream: logs, logFormat: 'json', ...opsOptions }, ...extra.config?.plugins } },
    pluginOptions: { '@starmodel/koa': { port: 0, host: '127.0.0.1', ...extra.koa } },
  });
  for (const [name, store] of Object.entries(extra.stores ?? {})) app.kernel.provideStore(name, store);
  await app.start();
  const web = app.kernel.service('web');
  if (!web) throw new Error('the web plugin did not provide its service');
  const url = web.url() ?? '';
  const get = (path: string, headers: Record<string, string> = {}) => fetch(url + path, { headers, redirect: 'manual' });
  return {
    app, url, web, logs, get,
    json: async <T>(path: string, headers: Record<string, string> = {}) => {
      const response = await get(path, { Accept: 'application/json', ...headers });
      return { status: response.status, body: (await response.json()) as T };
    },
    close: () => app.close(),
  };
}

/** One sample of a Prometheus text exposition. */
export interface Sample { readonly name: string; readonly labels: Record<string, string>; readonly value: number }

/** Parses Prometheus text format (what a scraper does), refusing malformed lines. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the sample with this name whose labels include `labels` (0 when absent). */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  return found?.value ?? 0;
}

/** Scrapes an app's `/metrics`. */
export async function scrape(app: OpsApp, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await app.get('/metrics', headers);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${await response.text()}`);
  return parsePrometheus(await response.text());
}

/** Waits until `check` is true, polling every 25 ms, at most `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export { freePort } from '../../support/net.js';
export { PrivateRedis, startPrivateRedis } from '../../support/private-redis.js';
