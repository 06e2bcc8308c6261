/**
 * @module bench/profile
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and says where the time went: self time by
 * area (node internals, Koa, the router, the kernel, the web plugin, tapable, zod, GC, idle) and
 * the functions with the most self and inclusive time.
 *
 * Also a command: `node --import tsx bench/lib/profile.ts <file.cpuprofile> [rows]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** One row of a profile summary. */
export interface ProfileRow { readonly name: string; readonly ms: number; readonly pct: number }

/** Where a profile spent its time. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly areas: readonly ProfileRow[];
  readonly self: readonly ProfileRow[];
  readonly inclusive: readonly ProfileRow[];
}

const AREAS: readonly [string, RegExp][] = [
  ['idle', /^\(idle\)$/],
  ['garbage collector', /^\(garbage collector\)$/],
  ['program (native, not JS)', /^\(program\)$/],
  ['web plugin (plugins/koa)', /\/plugins\/koa\/|\/bench\/tmp\/koa\//],
  ['kernel', /\/kernel\//],
  ['@koa/router', /node_modules\/@koa\/router\//],
  ['koa and its deps', /node_modules\/(koa|koa-compose|cookies|keygrip|accepts|type-is|content-type|statuses|on-finished|http-errors|delegates|vary|fresh|content-disposition|mime-types|negotiator|encodeurl|escape-html|destroy|only|parseurl|debug|depd|ee-first|media-typer|mime-db|setprototypeof|toidentifier|inherits|tsscmp|http-assert|deep-equal|path-to-regexp)\//],
  ['tapable', /node_modules\/tapable\//],
  ['zod', /node_modules\/zod\//],
  ['tsx loader', /node_modules\/(tsx|esbuild|get-tsconfig)\//],
  ['node internals (http, net, streams, crypto)', /^node:/],
  ['bench server script', /\/bench\/servers\//],
];

function areaOf(frame: CallFrame): string {
  const key = frame.url || frame.functionName;
  for (const [name, pattern] of AREAS) if (pattern.test(key) || pattern.test(frame.functionName)) return name;
  return frame.url ? 'other JS' : `native: ${frame.functionName || '(anonymous)'}`;
}

function nameOf(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules\/|kernel\/|plugins\/|bench\/)/, '$1');
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
}

function rows(map: Map<string, number>, totalMs: number, limit: number): ProfileRow[] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([name, us]) => ({ name, ms: us / 1000, pct: (us / 1000 / totalMs) * 100 }));
}

/** Summarizes a `.cpuprofile` file; `busyOnly` leaves idle time out of the percentages. */
export function summarizeProfile(file: string, limit = 25, busyOnly = true): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  for (const [index, id] of profile.samples.entries()) {
    const delta = profile.timeDeltas[index] ?? 0;
    const node = byId.get(id);
    if (!node) continue;
    const area = areaOf(node.callFrame);
    if (busyOnly && area === 'idle') continue;
    totalUs += delta;
    areas.set(area, (areas.get(area) ?? 0) + delta);
    const name = nameOf(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + delta);
    const onStack = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = byId.get(current)?.callFrame;
      if (frame && frame.functionName !== '(root)') onStack.add(nameOf(frame));
    }
    for (const frameName of onStack) inclusive.set(frameName, (inclusive.get(frameName) ?? 0) + delta);
  }
  const totalMs = totalUs / 1000;
  // Areas under 0.5% are noise for this purpose (module loading, one-off natives).
  const mainAreas = rows(areas, totalMs, 50).filter((row) => row.pct >= 0.5);
  return { totalMs, areas: mainAreas, self: rows(self, totalMs, limit), inclusive: rows(inclusive, totalMs, limit) };
}

/** The summary as text. */
export function formatProfile(summary: ProfileSummary): string {
  const table = (title: string, list: readonly ProfileRow[]) => [
    title,
    ...list.map((row) => `  ${row.pct.toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`),
  ].join('\n');
  return [
    `busy time in the profile: ${summary.totalMs.toFixed(0)} ms (V8 samples wall time: time the process waited to be scheduled back lands in whatever ran, typically writev/writeUtf8String after waking the client)`,
    table('self time by area (>= 0.5%):', summary.areas),
    table('self time by function:', summary.self),
    table('inclusive time by function:', summary.inclusive),
  ].join('\n\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/lib/profile.ts <file.cpuprofile> [rows]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(summarizeProfile(file, Number(process.argv[3] ?? 30)))}\n`);
}
