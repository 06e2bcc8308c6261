/**
 * @module bench/scenarios/fan-out
 * S2, fan-out: K clients on `GET /counter/live`, one increment; time until the last client has
 * the patch (and p50/p99 across clients), and server RSS per open stream, as ratios to node:http.
 */
import type { FanOutConfig, FanOutResult } from '../drivers/fan-out.js';
import { runDriver } from '../lib/processes.js';
import { median } from '../lib/stats.js';
import { fixed, ratio, renderTable } from '../lib/table.js';
import { NODE_HTTP, ratiosByRep, rotate, starmodelVariants, withServers, type BenchOptions, type ScenarioReport, type Target } from './common.js';

const DRIVER = 'bench/drivers/fan-out.ts';
/**
 * Timed increments per run (the median one counts): one increment alone is at the mercy of a noisy
 * machine (at K=5000 one run's trials spread from 45 to 78 ms, for node:http and StarModel alike).
 */
const FAN_OUT_TRIALS = 9;

/** Runs S2 and returns its table and targets. */
export async function fanOut(options: BenchOptions): Promise<ScenarioReport> {
  const servers = [NODE_HTTP, ...starmodelVariants(options)];
  const results = new Map<string, FanOutResult[]>();
  const key = (label: string, clients: number) => `${label} K=${clients}`;
  for (let rep = 0; rep < options.reps; rep++) {
    for (const clients of options.fanOut) {
      for (const spec of rotate(servers, rep)) {
        options.log(`S2 rep ${rep + 1}/${options.reps}: K=${clients} ${spec.label}`);
        const result = await withServers(spec, 1, ([server]) => runDriver<FanOutResult>(DRIVER, {
          url: server!.url, serverPid: server!.pid, clients, openConcurrency: 200, trials: FAN_OUT_TRIALS,
        } satisfies FanOutConfig, 300_000));
        const list = results.get(key(spec.label, clients)) ?? [];
        list.push(result);
        results.set(key(spec.label, clients), list);
      }
    }
  }
  const rows: string[][] = [];
  const targets: Target[] = [];
  for (const clients of options.fanOut) {
    const base = results.get(key(NODE_HTTP.label, clients))!;
    for (const spec of servers) {
      const runs = results.get(key(spec.label, clients))!;
      const lastRatio = median(ratiosByRep(runs.map((run) => run.lastMs), base.map((run) => run.lastMs)));
      const memoryRatio = median(ratiosByRep(runs.map((run) => run.bytesPerConnection), base.map((run) => run.bytesPerConnection)));
      rows.push([
        String(clients), spec.label,
        fixed(median(runs.map((run) => run.lastMs)), 1), ratio(lastRatio),
        fixed(median(runs.map((run) => run.p50Ms)), 1), fixed(median(runs.map((run) => run.p99Ms)), 1),
        fixed(median(runs.map((run) => run.bytesPerConnection / 1024)), 1), ratio(memoryRatio),
        fixed(median(runs.map((run) => run.openMs))),
        runs.map((run) => fixed(run.lastMs)).join(' / '),
      ]);
      if (spec.label === 'StarModel') {
        targets.push({ name: `S2 last delivery K=${clients} <= 1.2x node:http`, measured: lastRatio, limit: 1.2, atLeast: false });
        targets.push({ name: `S2 memory per stream K=${clients} <= 1.25x node:http`, measured: memoryRatio, limit: 1.25, atLeast: false });
      }
    }
  }
  return {
    title: 'S2 fan-out (K tabs on GET /counter/live, one increment)',
    table: renderTable(['K', 'server', 'last ms', 'x node', 'p50 ms', 'p99 ms', 'KiB/stream', 'x node', 'open all ms', 'runs (last ms)'], rows),
    notes: [
      `Raw sockets from one driver process, ${options.reps} interleaved repetitions, a fresh server per run. One untimed increment first (warm-up), then ${FAN_OUT_TRIALS} timed ones, one at a time; a run's result is its median trial. Time = from writing the increment request to the end of each tab's patch event.`,
      'KiB/stream = (server RSS with K streams open - RSS before), both after a full GC (SIGUSR2 -> gc()), / K. "open all" = time to open the K streams, 200 at a time, each until its state event arrived.',
      'Every stream checked byte for byte: status 200, text/event-stream, the state event, then exactly one patch event per increment (id = version).',
    ],
    targets,
  };
}
