/**
 * @module bench/scenarios/round-trip
 * S1, the event round trip: the Datastar client's increment request against StarModel, a bare
 * node:http server and a bare Koa route writing the same bytes; `connections` closed-loop
 * connections; requests/s, p50 and p99, each as a ratio to node:http in the same repetition.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoundTripConfig, RoundTripResult } from '../drivers/round-trip.js';
import { runDriver } from '../lib/processes.js';
import { formatProfile, summarizeProfile } from '../lib/profile.js';
import { ANSWER_HAS_ERRORS_RESET } from '../lib/protocol.js';
import { median } from '../lib/stats.js';
import { fixed, ratio, renderTable } from '../lib/table.js';
import { BARE_KOA, NODE_HTTP, ratiosByRep, rotate, starmodel, starmodelVariants, starmodelWithOps, withServers, type BenchOptions, type ScenarioReport, type ServerSpec } from './common.js';

const DRIVER = 'bench/drivers/round-trip.ts';

function configFor(options: BenchOptions, urls: string[], pids: number[]): RoundTripConfig {
  return { urls, serverPids: pids, connections: options.connections, warmupMs: options.warmupMs, durationMs: options.durationMs };
}

/** One driver run against one fresh server process. */
async function measure(spec: ServerSpec, options: BenchOptions, nodeArgs: readonly string[] = []): Promise<RoundTripResult> {
  return withServers(spec, 1, (servers) => runDriver<RoundTripResult>(DRIVER, configFor(options, servers.map((s) => s.url), servers.map((s) => s.pid))), nodeArgs);
}

/** Runs S1 and returns its table and targets. */
export async function roundTrip(options: BenchOptions): Promise<ScenarioReport> {
  // StarModel stays third (its row is the one the targets judge); "+ ops" is for information.
  const servers = [NODE_HTTP, BARE_KOA, ...starmodelVariants(options), starmodelWithOps()];
  const results = new Map<string, RoundTripResult[]>(servers.map((spec) => [spec.label, []]));
  for (let rep = 0; rep < options.reps; rep++) {
    for (const spec of rotate(servers, rep)) {
      options.log(`S1 rep ${rep + 1}/${options.reps}: ${spec.label}`);
      results.get(spec.label)!.push(await measure(spec, options));
    }
  }
  const base = results.get(NODE_HTTP.label)!;
  const rows = servers.map((spec) => {
    const runs = results.get(spec.label)!;
    const rps = runs.map((run) => run.rps);
    const p99 = runs.map((run) => run.p99Ms);
    return {
      spec, runs,
      rpsRatio: median(ratiosByRep(rps, base.map((run) => run.rps))),
      p50Ratio: median(ratiosByRep(runs.map((run) => run.p50Ms), base.map((run) => run.p50Ms))),
      p99Ratio: median(ratiosByRep(p99, base.map((run) => run.p99Ms))),
      cpuRatio: median(ratiosByRep(runs.map((run) => run.serverCpuUsPerRequest), base.map((run) => run.serverCpuUsPerRequest))),
    };
  });
  const table = renderTable(
    ['server', 'req/s', 'x node', 'p50 ms', 'x node', 'p99 ms', 'x node', 'CPU us/req', 'x node', 'of it sys', 'server CPU', 'driver CPU', 'runs (req/s)'],
    rows.map((row) => [
      row.spec.label,
      fixed(median(row.runs.map((run) => run.rps))), ratio(row.rpsRatio),
      fixed(median(row.runs.map((run) => run.p50Ms)), 2), ratio(row.p50Ratio),
      fixed(median(row.runs.map((run) => run.p99Ms)), 2), ratio(row.p99Ratio),
      fixed(median(row.runs.map((run) => run.serverCpuUsPerRequest))), ratio(row.cpuRatio), fixed(median(row.runs.map((run) => run.serverSysUsPerRequest))),
      `${fixed(median(row.runs.map((run) => run.serverCpuPct)))}%`, `${fixed(median(row.runs.map((run) => run.driverCpuPct)))}%`,
      row.runs.map((run) => fixed(run.rps)).join(' / '),
    ]),
  );
  const sm = rows[2]!;
  const first = sm.runs[0];
  const notes = [
    `${options.connections} closed-loop connections, ${options.warmupMs / 1000} s warm-up + ${options.durationMs / 1000} s timed per run, ${options.reps} interleaved repetitions; ratios are medians of per-repetition ratios.`,
    `Every answer checked: status 200, Content-Type text/event-stream, body = signals event${ANSWER_HAS_ERRORS_RESET ? ' + errors reset' : ' alone (BENCH_ERRORS_RESET=off)'} (${first?.bodyBytes ?? '?'} bytes), count unique; final count = successful increments.`,
    'CPU us/req = server CPU time (user + system, from /proc) per answered request in the timed window: how much work one answer costs, whatever load the driver managed; "of it sys" = the part spent in the Linux kernel (system calls: reading requests, writing answers). server/driver CPU = % of one core.',
    ...rows.map((row) => `${row.spec.label} answer headers: ${row.runs[0]?.headerNames.join(', ') ?? 'n/a'}.`),
  ];
  if (options.profile) notes.push(await profileStarModel(options));
  return {
    title: 'S1 event round trip (GET /counter/increment, Datastar-Request, ?datastar=<signals>)',
    table, notes,
    targets: [
      { name: 'S1 throughput >= 0.85x node:http', measured: sm.rpsRatio, limit: 0.85, atLeast: true },
      { name: 'S1 p99 <= 1.5x node:http', measured: sm.p99Ratio, limit: 1.5, atLeast: false },
    ],
  };
}

/** One more StarModel run under `--cpu-prof`; returns the summary of where its CPU time went. */
async function profileStarModel(options: BenchOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `starmodel-bench-profile-${options.runId}-`));
  options.log(`S1 profile: StarModel under --cpu-prof (${dir})`);
  const result = await measure(starmodel(), options, ['--cpu-prof', '--cpu-prof-dir', dir]);
  // The main thread's profile is the biggest one (tsx's loader thread writes a small one too).
  const files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile')).map((file) => join(dir, file));
  const summaries = files.map((file) => ({ file, summary: summarizeProfile(file, 20) })).sort((a, b) => b.summary.totalMs - a.summary.totalMs);
  const main = summaries[0];
  if (!main) return `profile: no .cpuprofile was written in ${dir}`;
  return `Profile of StarModel during S1 (${fixed(result.rps)} req/s under the profiler; file ${main.file}):\n${formatProfile(main.summary)}`;
}
