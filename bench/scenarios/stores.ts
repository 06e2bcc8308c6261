/**
 * @module bench/scenarios/stores
 * S3, stores: increments per second of the global counter through each store with
 * `connections` concurrent clients, one process and (for the shared stores) two processes behind
 * the same database, with zero lost updates checked at the end. A store whose plugin or service is
 * not there is skipped with the reason printed. Every table, key prefix and file is unique to the
 * run and removed afterwards.
 */
import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoundTripConfig, RoundTripResult } from '../drivers/round-trip.js';
import { runDriver } from '../lib/processes.js';
import { median } from '../lib/stats.js';
import { fixed, ratio, renderTable } from '../lib/table.js';
import { NODE_HTTP, ROOT, ratiosByRep, rotate, starmodel, withServers, type BenchOptions, type ScenarioReport, type ServerSpec } from './common.js';

const DRIVER = 'bench/drivers/round-trip.ts';

/** One row of S3: a store setup, in one or more processes. */
interface StoreRow {
  readonly label: string;
  readonly processes: number;
  /** The server for repetition `rep` (fresh table / prefix / file, so the counter starts at 0). */
  spec(rep: number): ServerSpec;
  /** Removes what the row created. */
  cleanup(): Promise<void>;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function pluginDir(name: string): string | undefined {
  const dir = join(ROOT, 'plugins', name);
  return existsSync(join(dir, 'index.ts')) ? dir : undefined;
}

const noCleanup = async () => undefined;

async function storeRows(options: BenchOptions, skipped: string[]): Promise<StoreRow[]> {
  const rows: StoreRow[] = [
    { label: 'node:http (memory, reference)', processes: 1, spec: () => NODE_HTTP, cleanup: noCleanup },
    { label: 'StarModel memory', processes: 1, spec: () => starmodel(), cleanup: noCleanup },
  ];
  const id = options.runId;
  const knex = pluginDir('knex');
  if (!knex) skipped.push('SQLite and PostgreSQL: plugins/knex has no index.ts yet (the SQL plugin is not there).');
  else {
    const files: string[] = [];
    rows.push({
      label: 'StarModel SQLite', processes: 1,
      spec: (rep) => {
        const filename = join(tmpdir(), `starmodel-bench-${id}-${rep}.sqlite`);
        files.push(filename);
        return starmodel({ BENCH_STORE: 'sql', BENCH_STORE_PLUGIN: knex, BENCH_STORE_OPTIONS: JSON.stringify({ client: 'sqlite3', filename }), BENCH_TABLE: `bench_counter_${id}` });
      },
      cleanup: async () => {
        for (const file of files) for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    });
    const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const { hostname, port } = new URL(databaseUrl);
    if (!(await reachable(hostname, Number(port || 5432)))) skipped.push(`PostgreSQL: nothing listens at ${hostname}:${port || 5432} (set DATABASE_URL).`);
    else {
      const tables: string[] = [];
      for (const processes of [1, 2]) {
        rows.push({
          label: `StarModel PostgreSQL x${processes}`, processes,
          spec: (rep) => {
            const table = `bench_counter_${id}_${rep}_${processes}`;
            tables.push(table);
            return starmodel({ BENCH_STORE: 'sql', BENCH_STORE_PLUGIN: knex, BENCH_STORE_OPTIONS: JSON.stringify({ client: 'pg', connection: databaseUrl }), BENCH_TABLE: table });
          },
          cleanup: () => dropTables(databaseUrl, tables.splice(0)),
        });
      }
    }
  }
  const redis = pluginDir('redis');
  if (!redis) skipped.push('Redis: plugins/redis has no index.ts yet (the Redis plugin is not there).');
  else {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const { hostname, port } = new URL(redisUrl);
    if (!(await reachable(hostname, Number(port || 6379)))) skipped.push(`Redis: nothing listens at ${hostname}:${port || 6379} (set REDIS_URL).`);
    else {
      const prefixes: string[] = [];
      for (const processes of [1, 2]) {
        rows.push({
          label: `StarModel Redis x${processes}`, processes,
          spec: (rep) => {
            const prefix = `starmodel-bench:${id}:${rep}:${processes}`;
            prefixes.push(prefix);
            return starmodel({ BENCH_STORE: 'redis', BENCH_STORE_PLUGIN: redis, BENCH_STORE_OPTIONS: JSON.stringify({ url: redisUrl, prefix }) });
          },
          cleanup: () => deleteKeys(redisUrl, prefixes.splice(0)),
        });
      }
    }
  }
  return rows;
}

async function dropTables(databaseUrl: string, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  const { default: knex } = await import('knex');
  const db = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  try {
    for (const table of tables) await db.schema.dropTableIfExists(table);
  } finally {
    await db.destroy();
  }
}

async function deleteKeys(redisUrl: string, prefixes: readonly string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const { Redis } = await import('ioredis');
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

/** Runs S3 and returns its table. */
export async function stores(options: BenchOptions): Promise<ScenarioReport> {
  const skipped: string[] = [];
  const rows = await storeRows(options, skipped);
  for (const reason of skipped) options.log(`S3 skipped: ${reason}`);
  const results = new Map<string, RoundTripResult[]>(rows.map((row) => [row.label, []]));
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      for (const row of rotate(rows, rep)) {
        options.log(`S3 rep ${rep + 1}/${options.reps}: ${row.label}`);
        const spec = row.spec(rep);
        const result = await withServers(spec, row.processes, (servers) => runDriver<RoundTripResult>(DRIVER, {
          urls: servers.map((server) => server.url), serverPids: servers.map((server) => server.pid),
          connections: options.connections, warmupMs: options.storeWarmupMs, durationMs: options.storeDurationMs, allowConflicts: row.processes > 1,
        } satisfies RoundTripConfig));
        results.get(row.label)!.push(result);
      }
    }
  } finally {
    for (const row of rows) await row.cleanup().catch((error: unknown) => options.log(`S3 cleanup of ${row.label} failed: ${String(error)}`));
  }
  const base = results.get(rows[0]!.label)!;
  const memory = results.get(rows[1]!.label)!;
  const table = renderTable(
    ['store', 'processes', 'increments/s', 'x node', 'x memory', 'p99 ms', 'conflicts (409)', 'lost updates', 'runs (increments/s)'],
    rows.map((row) => {
      const runs = results.get(row.label)!;
      const rps = runs.map((run) => run.rps);
      return [
        row.label, String(row.processes), fixed(median(rps)),
        ratio(median(ratiosByRep(rps, base.map((run) => run.rps)))), ratio(median(ratiosByRep(rps, memory.map((run) => run.rps)))),
        fixed(median(runs.map((run) => run.p99Ms)), 2),
        String(runs.reduce((sum, run) => sum + run.conflicts, 0)),
        // The driver fails the run on any lost update, so reaching this line means none.
        '0',
        rps.map((value) => fixed(value)).join(' / '),
      ];
    }),
  );
  return {
    title: 'S3 stores (increments/s through each store)',
    table,
    notes: [
      `${options.connections} closed-loop connections (spread over the processes), ${options.storeWarmupMs / 1000} s warm-up + ${options.storeDurationMs / 1000} s timed per run, ${options.reps} interleaved repetitions; fresh table / key prefix / file per run.`,
      'Lost updates: every answered count must be unique and the final count (read from a live stream) must equal the successful increments; the run fails otherwise. Conflicts are answers 409 SM_CONCURRENCY_CONFLICT after the dispatcher gave up retrying (not successful, not lost).',
      ...skipped.map((reason) => `skipped: ${reason}`),
    ],
    targets: [],
  };
}
