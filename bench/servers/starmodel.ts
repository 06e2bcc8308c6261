/**
 * @module bench/servers/starmodel
 * The system under test: a StarModel app with the web plugin and one global Counter, exactly as a
 * user writes it. Environment:
 * - `BENCH_KOA_PLUGIN`: path of the web plugin (default this repo's plugins/koa; an experimental copy to measure a fix)
 * - `BENCH_KERNEL`: module to import the kernel from (default `starmodel`; an experimental copy)
 * - `BENCH_STORE`: `memory` (default), `sql` or `redis`; `BENCH_STORE_PLUGIN` / `BENCH_STORE_OPTIONS` (JSON) load its plugin
 * - `BENCH_TABLE`: the SQL table (unique per run, so parallel developers never share one)
 * - `BENCH_EXTRA_PLUGINS`: JSON `{ "<plugin path>": { ...options } }` of more plugins to load (S1's "+ ops" row)
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SECRET } from '../lib/protocol.js';
import { benchProcess } from './bare-counter.js';

type Kernel = typeof import('starmodel');
const sm = (await import(process.env.BENCH_KERNEL ?? 'starmodel')) as Kernel;
const { Entity, event } = sm;

const store = process.env.BENCH_STORE ?? 'memory';
const table = process.env.BENCH_TABLE;

/** The counter of the README, global, in the store under test. */
class Counter extends Entity {
  static override scope = 'global' as const;
  static override store = store;
  static table = table;
  count = 0;

  @event() increment(amount = 1) {
    this.count += amount;
  }
}

// The app folder is bench/ (no package.json there), so only the plugins named below load.
const benchDir = resolve(fileURLToPath(new URL('..', import.meta.url)));
const plugins: Record<string, Record<string, unknown>> = {
  [process.env.BENCH_KOA_PLUGIN ?? resolve(benchDir, '../plugins/koa')]: { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' },
};
if (process.env.BENCH_STORE_PLUGIN) plugins[process.env.BENCH_STORE_PLUGIN] = JSON.parse(process.env.BENCH_STORE_OPTIONS ?? '{}') as Record<string, unknown>;
Object.assign(plugins, JSON.parse(process.env.BENCH_EXTRA_PLUGINS ?? '{}') as Record<string, Record<string, unknown>>);

const app = await sm.createApp({
  dir: benchDir, ignoreConfigFile: true, entities: [Counter], logger: sm.consoleLogger('info'),
  config: { secret: BENCH_SECRET, plugins },
});
await app.start();
benchProcess(() => app.close());
