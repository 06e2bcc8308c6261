/**
 * An in-process app with the web plugin on a free port, for HTTP specs, plus a small SSE reader.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App, type EntityClass, type StarmodelConfig } from '../../kernel/index.js';
import { consoleLogger } from '../../kernel/index.js';
import type { WebService } from '../../plugins/koa/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A started app listening on 127.0.0.1 with a free port. */
export interface WebApp {
  readonly app: App;
  readonly url: string;
  readonly web: WebService;
  close(): Promise<void>;
}

/** Starts the repo's app (its plugins are found as for `npm start`) with given entities and options. */
/** The app's plugins that web-plugin specs leave out unless they name them (they have specs of their own). */
const LEFT_OUT = ['@starmodel/auth', '@starmodel/ops', '@starmodel/jobs', 'starmodel-audit-log'];

function pluginNameOf(key: string): string {
  if (!key.startsWith('/') && !key.startsWith('.')) return key;
  try {
    return (JSON.parse(readFileSync(join(resolve(root, key), 'package.json'), 'utf8')) as { name: string }).name;
  } catch {
    return key;
  }
}

export async function startWebApp(entities: EntityClass[], koaOptions: Record<string, unknown> = {}, config: StarmodelConfig = {}): Promise<WebApp> {
  const named = new Set(Object.keys(config.plugins ?? {}).map(pluginNameOf));
  const leftOut = Object.fromEntries(LEFT_OUT.filter((name) => !named.has(name)).map((name) => [name, false]));
  const app = await createApp({
    dir: root, ignoreConfigFile: true, entities, logger: consoleLogger('error'),
    config: { secret: 'spec-secret-0123456789abcdef', ...config },
    pluginOptions: { ...leftOut, '@starmodel/koa': { port: 0, host: '127.0.0.1', ...koaOptions } },
  });
  await app.start();
  const web = app.kernel.service('web');
  if (!web) throw new Error('the web plugin did not provide its service');
  return { app, web, url: web.url() ?? '', close: () => app.close() };
}

/** One parsed SSE event. */
export interface SseEvent { event: string; id?: string; data: string[] }

/** Parses SSE text into events (comments dropped). */
export function parseSse(text: string): SseEvent[] {
  return text.split('\n\n').filter((block) => block.trim() && !block.startsWith(':')).map((block) => {
    const event: SseEvent = { event: '', data: [] };
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event.event = line.slice(7);
      else if (line.startsWith('id: ')) event.id = line.slice(4);
      else if (line.startsWith('data: ')) event.data.push(line.slice(6));
    }
    return event;
  });
}

/** The JSON of an event's `signals` data lines. */
export function signalsOf(event: SseEvent): Record<string, unknown> {
  return JSON.parse(event.data.filter((line) => line.startsWith('signals ')).map((line) => line.slice(8)).join('\n')) as Record<string, unknown>;
}

/** Opens a live stream and collects its events until `stop()`. */
export async function openLive(url: string, headers: Record<string, string> = {}): Promise<{ events: SseEvent[]; status: number; waitFor(count: number, timeoutMs?: number): Promise<SseEvent[]>; stop(): void }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { 'Datastar-Request': 'true', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  let buffer = '';
  const waiting: (() => void)[] = [];
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += Buffer.from(chunk).toString();
        const end = buffer.lastIndexOf('\n\n');
        if (end < 0) continue;
        events.push(...parseSse(buffer.slice(0, end + 2)));
        buffer = buffer.slice(end + 2);
        for (const wake of waiting.splice(0)) wake();
      }
    } catch {
      // aborted
    }
  })();
  return {
    events, status: response.status,
    waitFor: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${events.length}: ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return events;
    },
    stop: () => controller.abort(),
  };
}
