/**
 * @module bench/scenarios/common
 * What every scenario shares: run options, the servers under test, targets, and the helpers that
 * run one server (or several) around one driver run.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type ServerProcess } from '../lib/processes.js';

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Options of one `npm run bench`. */
export interface BenchOptions {
  readonly scenarios: ReadonlySet<string>;
  /** Interleaved repetitions (each server once per repetition, in a rotating order). */
  readonly reps: number;
  /** Timed window of S1, per run. */
  readonly durationMs: number;
  /** Timed window of S3, per run. */
  readonly storeDurationMs: number;
  /** Untimed load before each S1 timed window: StarModel needs a few seconds of traffic before the JIT settles. */
  readonly warmupMs: number;
  /** Untimed load before each S3 timed window. */
  readonly storeWarmupMs: number;
  readonly connections: number;
  /** S2's numbers of live clients. */
  readonly fanOut: readonly number[];
  /** Environment of an extra StarModel server measured next to this tree's (experimental plugin or kernel copies); empty for none. */
  readonly variantEnv: Readonly<Record<string, string>>;
  /** Also profile the StarModel server during S1 (`--cpu-prof`) and print where the time went. */
  readonly profile: boolean;
  /** Unique per run: table names, key prefixes, files. */
  readonly runId: string;
  /** Progress lines (stderr). */
  log(message: string): void;
}

/** A server under test. */
export interface ServerSpec {
  readonly label: string;
  readonly script: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** The baseline every ratio is against. */
export const NODE_HTTP: ServerSpec = { label: 'node:http', script: 'bench/servers/node-http.ts' };
/** A hand-written Koa route. */
export const BARE_KOA: ServerSpec = { label: 'Koa (bare)', script: 'bench/servers/koa.ts' };

/** StarModel from this tree with the web plugin and the memory store (`env` adds a store). */
export function starmodel(env: Readonly<Record<string, string>> = {}, label = 'StarModel'): ServerSpec {
  return { label, script: 'bench/servers/starmodel.ts', env };
}

/**
 * StarModel as production runs it: with the operations plugin (metrics, request scope, drain).
 * Its request and event log lines are off: two synchronous stdout writes per request would fill
 * the pipe to the bench runner (their cost is in README.md, measured separately).
 */
export function starmodelWithOps(): ServerSpec {
  return starmodel({ BENCH_EXTRA_PLUGINS: JSON.stringify({ [resolve(ROOT, 'plugins/ops')]: { requestLogs: false, eventLogs: false } }) }, 'StarModel + ops');
}

/** The StarModel servers to compare: this tree, plus the experimental copy when one was given. */
export function starmodelVariants(options: BenchOptions): ServerSpec[] {
  const tree = starmodel();
  return Object.keys(options.variantEnv).length === 0 ? [tree] : [tree, starmodel(options.variantEnv, 'StarModel (experimental copy)')];
}

/** One target of the issue, judged on median ratios of one run. */
export interface Target {
  readonly name: string;
  readonly measured: number | undefined;
  readonly limit: number;
  readonly atLeast: boolean;
}

/** True when a target holds. */
export function holds(target: Target): boolean {
  if (target.measured === undefined || !Number.isFinite(target.measured)) return false;
  return target.atLeast ? target.measured >= target.limit : target.measured <= target.limit;
}

/** What a scenario hands back for the report. */
export interface ScenarioReport {
  readonly title: string;
  readonly table: string;
  readonly notes: readonly string[];
  readonly targets: readonly Target[];
}

/** The list rotated by `by` places: repetition r starts with a different server, so none always runs first. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  const shift = by % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/** Starts `count` processes of a server, runs `body` with them, and always stops them. */
export async function withServers<T>(spec: ServerSpec, count: number, body: (servers: ServerProcess[]) => Promise<T>, nodeArgs: readonly string[] = []): Promise<T> {
  const servers: ServerProcess[] = [];
  try {
    for (let index = 0; index < count; index++) servers.push(await startServer(spec.script, { ...spec.env }, nodeArgs));
    return await body(servers);
  } catch (error) {
    const output = servers.map((server) => server.output().trim()).filter(Boolean).join('\n');
    throw new Error(`${spec.label}: ${error instanceof Error ? error.message : String(error)}${output ? `\n--- server output ---\n${output}` : ''}`);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** Per-repetition ratios of one series to another (same repetition, so the same machine weather). */
export function ratiosByRep(values: readonly number[], baseline: readonly number[]): number[] {
  return values.map((value, rep) => value / (baseline[rep] ?? Number.NaN));
}
