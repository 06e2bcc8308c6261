/**
 * @module bench/micro-dispatch
 * The kernel's share of the S1 round trip, without HTTP: `kernel.dispatch()` of the README's global
 * Counter `increment` on the memory store, called the way the web plugin calls it (query text, a
 * body of signals, `untrusted`, a step sink that reads each change's patch). Prints nanoseconds per
 * dispatch (median of the rounds), sequential and with 32 dispatchers at once, and checks that the
 * final count equals the number of dispatches.
 *
 *   node --import tsx bench/micro-dispatch.ts [--n=200000] [--rounds=5] [--concurrency=32]
 *
 * To see where the time goes, profile it and sort the profile by self time:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/micro-dispatch.ts --n=50000
 *
 * Environment: `BENCH_KERNEL` imports the kernel from another module (default `starmodel`).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Step } from 'starmodel';

type KernelModule = typeof import('starmodel');
const sm = (await import(process.env.BENCH_KERNEL ?? 'starmodel')) as KernelModule;
const { Entity, event } = sm;

/** Reads `--name=value` from the command line, or the fallback. */
function option(name: string, fallback: number): number {
  const arg = process.argv.find((item) => item.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const N = option('n', 200_000);
const ROUNDS = option('rounds', 5);
const CONCURRENCY = option('concurrency', 32);
const WARMUP = Math.min(N, 20_000);

/** The counter of the README, global, in the memory store (as in bench/servers/starmodel.ts). */
class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;

  @event() increment(amount = 1) {
    this.count += amount;
  }
}

// bench/ has no package.json and the plugin list is empty: no plugin loads, only the kernel runs.
const benchDir = resolve(fileURLToPath(new URL('.', import.meta.url)));
const app = await sm.createApp({
  dir: benchDir, ignoreConfigFile: true, entities: [Counter], logger: sm.consoleLogger('error'),
  config: { plugins: {} },
});
await app.start();
const { kernel } = app;

let patchKeys = 0;
// What the web plugin's stream handler reads of each step.
const onStep = ({ change }: Step) => {
  if (!change) return;
  patchKeys += Object.keys(change.patch).length;
  for (const element of change.elements) patchKeys += element.html.length;
};
const signals = { Counter: { count: 0 }, sm: { client: 'abc' } };

/** One dispatch as the web plugin makes it for `GET /counter/increment?amount=1`. */
function dispatchOne() {
  return kernel.dispatch(
    { entity: Counter, event: 'increment', query: { amount: '1' }, body: { Counter: { count: 0 }, sm: { client: 'abc' } }, untrusted: true },
    { sessionId: 's1', signals },
    onStep,
  );
}

async function sequential(count: number): Promise<void> {
  for (let index = 0; index < count; index++) await dispatchOne();
}

async function concurrent(count: number, workers: number): Promise<void> {
  const each = Math.floor(count / workers);
  const extra = count - each * workers;
  await Promise.all(Array.from({ length: workers }, (_, worker) => sequential(each + (worker < extra ? 1 : 0))));
}

/** Nanoseconds per dispatch of one round. */
async function round(run: (count: number) => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run(N);
  return Number(process.hrtime.bigint() - start) / N;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

let dispatched = 0;
await sequential(WARMUP);
await concurrent(WARMUP, CONCURRENCY);
dispatched += 2 * WARMUP;

const results: Record<string, number[]> = { sequential: [], [`${CONCURRENCY} concurrent`]: [] };
for (let index = 0; index < ROUNDS; index++) {
  results.sequential!.push(await round(sequential));
  results[`${CONCURRENCY} concurrent`]!.push(await round((count) => concurrent(count, CONCURRENCY)));
  dispatched += 2 * N;
}

const counter = await kernel.load(Counter);
await app.close();

console.log(`kernel.dispatch(Counter.increment), memory store, ${N} dispatches x ${ROUNDS} rounds (node ${process.version})`);
for (const [name, values] of Object.entries(results)) {
  console.log(`  ${name.padEnd(14)} ${median(values).toFixed(0).padStart(7)} ns/dispatch (median; rounds: ${values.map((value) => value.toFixed(0)).join(', ')})`);
}
if (counter.count !== dispatched || patchKeys !== dispatched) {
  console.error(`  WRONG: count ${counter.count}, patches ${patchKeys}, dispatches ${dispatched}`);
  process.exit(1);
}
console.log(`  final count ${counter.count} = dispatches ${dispatched}: ok`);
