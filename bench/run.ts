/**
 * @module bench/run
 * `npm run bench`: StarModel against a bare node:http server (and a bare Koa route) measured in
 * the same run, each server in its own process, each driver in another, load bounded and on
 * 127.0.0.1 only. Prints a table of medians over interleaved repetitions as ratios to node:http,
 * then the targets. Any wrong answer fails the run (exit 1).
 *
 *   npm run bench                                  # S1, S2, S3 (about 6 minutes on 2 cores)
 *   npm run bench -- --only S1 --reps 5            # one scenario, more repetitions
 *   npm run bench -- --profile                     # also profile StarModel during S1 (--cpu-prof)
 *   npm run bench -- --koa bench/tmp/koa           # S1/S2 also measure an experimental copy of the web plugin
 *   npm run bench -- --kernel bench/tmp/kernel/index.ts    # ... and/or of the kernel (a copy the plugin copy imports)
 *   npm run bench -- --strict                      # exit 2 when a target is missed
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, freemem, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { killStarted } from './lib/processes.js';
import { fanOut } from './scenarios/fan-out.js';
import { roundTrip } from './scenarios/round-trip.js';
import { holds, ROOT, type BenchOptions, type ScenarioReport } from './scenarios/common.js';
import { stores } from './scenarios/stores.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'S1,S2,S3' },
    reps: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    'store-duration': { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    'store-warmup': { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    clients: { type: 'string', default: '1000,5000' },
    koa: { type: 'string' },
    kernel: { type: 'string' },
    profile: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive number (got ${JSON.stringify(text)})\n`);
    process.exit(2);
  }
  return value;
}

const scenarios = new Set((values.only ?? '').split(',').map((name) => name.trim().toUpperCase()).filter(Boolean));
const unknown = [...scenarios].filter((name) => !['S1', 'S2', 'S3'].includes(name));
if (unknown.length > 0) {
  process.stderr.write(`--only takes S1, S2, S3 (got ${unknown.join(', ')})\n`);
  process.exit(2);
}
const variantEnv: Record<string, string> = {};
if (values.koa) variantEnv.BENCH_KOA_PLUGIN = resolve(ROOT, values.koa);
if (values.kernel) variantEnv.BENCH_KERNEL = pathToFileURL(resolve(ROOT, values.kernel)).href;

const started = Date.now();
const options: BenchOptions = {
  scenarios,
  reps: Math.round(positive('reps', values.reps)),
  durationMs: positive('duration', values.duration) * 1000,
  storeDurationMs: positive('store-duration', values['store-duration']) * 1000,
  warmupMs: positive('warmup', values.warmup) * 1000,
  storeWarmupMs: positive('store-warmup', values['store-warmup']) * 1000,
  connections: Math.round(positive('connections', values.connections)),
  fanOut: (values.clients ?? '').split(',').map((text) => Math.round(positive('clients', text))),
  variantEnv,
  profile: values.profile ?? false,
  runId: `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
  log: (message) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`),
};

// Whatever ends this process (a failure, an uncaught error, Ctrl-C), no server or driver outlives it.
process.on('exit', killStarted);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killStarted();
    process.exit(130);
  });
}

function machine(): string {
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return `node ${process.version}, ${availableParallelism()} CPUs, ${gib(totalmem())} RAM (${gib(freemem())} free at start)`;
}

async function main(): Promise<number> {
  const reports: ScenarioReport[] = [];
  if (scenarios.has('S1')) reports.push(await roundTrip(options));
  if (scenarios.has('S2')) reports.push(await fanOut(options));
  if (scenarios.has('S3')) reports.push(await stores(options));
  const lines = [
    '',
    `StarModel benchmarks, ${new Date().toISOString()}, ${machine()}`,
    'StarModel: this tree (plugins/koa, kernel), memory store unless S3 says otherwise.',
    ...(Object.keys(variantEnv).length > 0 ? [`StarModel (experimental copy): ${JSON.stringify(variantEnv)}; targets are judged on this tree's row.`] : []),
  ];
  for (const report of reports) lines.push('', `## ${report.title}`, '', report.table, '', ...report.notes.map((note) => `- ${note}`));
  const targets = reports.flatMap((report) => report.targets);
  if (targets.length > 0) {
    lines.push('', '## Targets (median ratios of this run)', '');
    for (const target of targets) {
      const measured = target.measured === undefined || !Number.isFinite(target.measured) ? 'n/a' : `${target.measured.toFixed(2)}x`;
      lines.push(`${holds(target) ? 'MET   ' : 'MISSED'}  ${target.name}: ${measured}`);
    }
  }
  lines.push('', `Total time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return values.strict && !targets.every(holds) ? 2 : 0;
}

main().then((code) => {
  killStarted();
  process.exit(code);
}, (error: unknown) => {
  killStarted();
  process.stderr.write(`\nBENCH FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
