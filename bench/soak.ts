/**
 * @module bench/soak
 * `npm run soak`: the sandbox as its own process, STREAMS live SSE streams on `/counter/live` held
 * open from this driver process on raw sockets (each a browser of its own, every byte read and
 * parsed), and `Counter.increment` at a steady RATE per second for SECONDS. The server's resident
 * memory (/proc/<pid>/status VmRSS) is sampled all along.
 *
 * It fails (exit 1) when
 * - memory is not flat after the warm-up: the median RSS of the last third of the samples is
 *   above the median of the second third by more than SOAK_RSS_BOUND (default 0.15 = +15%);
 * - a stream that kept reading missed a patch: every stream must see every version by SSE `id`,
 *   consecutively, up to the last acknowledged one;
 * - an increment was not acknowledged (200).
 *
 * Environment: SOAK_SECONDS (120), SOAK_STREAMS (1000), SOAK_RATE (50), SOAK_RSS_BOUND (0.15).
 * Run: `node --import tsx bench/soak.ts` (the `soak` script); prints `RESULT <json>` last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssBytes } from './lib/proc.js';
import { killStarted, startServer } from './lib/processes.js';

const SECONDS = positive('SOAK_SECONDS', 120);
const STREAMS = positive('SOAK_STREAMS', 1000);
const RATE = positive('SOAK_RATE', 50);
const RSS_BOUND = positive('SOAK_RSS_BOUND', 0.15);
const OPEN_CONCURRENCY = 50;
/** At least ~15 samples in a short run, one every 2 s in a long one. */
const SAMPLE_MS = Math.min(2000, Math.max(250, (SECONDS * 1000) / 15));

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Someone waiting for a stream to reach an id. */
interface Waiter { readonly id: number; readonly resolve: () => void }

/**
 * One live stream on a raw socket: undoes the chunked framing incrementally and reads each SSE
 * event's `id`, remembering only what the check needs (first id, last id, gaps), so a long soak
 * does not grow the driver.
 */
class LiveReader {
  firstId: number | undefined;
  lastId: number | undefined;
  events = 0;
  gaps = 0;
  status = 0;
  closed = false;
  #raw: Buffer = Buffer.alloc(0);
  #headDone = false;
  #body = '';
  #waiters: Waiter[] = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => { this.closed = true; });
    socket.on('error', () => { this.closed = true; });
  }

  /** Resolves once the stream saw `id` (or a later one). */
  reached(id: number): Promise<void> {
    if (this.lastId !== undefined && this.lastId >= id) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ id, resolve }));
  }

  #onData(chunk: Buffer): void {
    this.#raw = this.#raw.length ? Buffer.concat([this.#raw, chunk]) : chunk;
    if (!this.#headDone) {
      const end = this.#raw.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.status = Number(/^HTTP\/1\.1 (\d+)/.exec(this.#raw.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      this.#raw = this.#raw.subarray(end + 4);
      this.#headDone = true;
    }
    // Chunked framing: "<hex size>\r\n<data>\r\n", repeated.
    for (;;) {
      const line = this.#raw.indexOf('\r\n');
      if (line < 0) return;
      const size = parseInt(this.#raw.subarray(0, line).toString('latin1'), 16);
      if (Number.isNaN(size) || this.#raw.length < line + 2 + size + 2) return;
      this.#body += this.#raw.subarray(line + 2, line + 2 + size).toString('utf8');
      this.#raw = this.#raw.subarray(line + 2 + size + 2);
      this.#parseEvents();
    }
  }

  #parseEvents(): void {
    for (let end = this.#body.indexOf('\n\n'); end >= 0; end = this.#body.indexOf('\n\n')) {
      const event = this.#body.slice(0, end);
      this.#body = this.#body.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(event)?.[1];
      if (id === undefined) continue; // a keep-alive comment
      this.#saw(Number(id));
    }
  }

  #saw(id: number): void {
    this.events++;
    if (this.firstId === undefined) this.firstId = id;
    else if (id !== this.lastId! + 1) this.gaps++;
    this.lastId = id;
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of this.#waiters) (id >= waiter.id ? waiter.resolve() : still.push(waiter));
    this.#waiters = still;
  }
}

async function openStream(hostname: string, port: number, host: string): Promise<LiveReader> {
  const socket = connect({ host: hostname, port });
  const reader = new LiveReader(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(`GET /counter/live HTTP/1.1\r\nHost: ${host}\r\nDatastar-Request: true\r\nAccept: text/event-stream\r\nConnection: keep-alive\r\n\r\n`);
    });
    const check = setInterval(() => {
      if (reader.firstId !== undefined) { clearInterval(check); resolve(); }
      if (reader.closed) { clearInterval(check); reject(new Error(`live stream closed before its first event (status ${reader.status})`)); }
    }, 5);
  });
  return reader;
}

/** One increment as a browser with its session would send it; the version it produced. */
async function increment(url: string, cookie: string): Promise<{ status: number; version: number; cookie: string }> {
  const response = await fetch(`${url}/counter/increment`, { headers: { Accept: 'application/json', ...(cookie ? { Cookie: cookie } : {}) } });
  const body = (await response.json()) as { entity?: { version: number } };
  const set = response.headers.get('set-cookie')?.split(';')[0] ?? '';
  return { status: response.status, version: body.entity?.version ?? -1, cookie: set || cookie };
}

async function main(): Promise<boolean> {
  const folder = mkdtempSync(join(tmpdir(), 'sm-soak-'));
  // Memory counter (no REDIS_URL), SQLite in a temp folder, JSON logs (cheaper than pretty) drained by the helper.
  const server = await startServer('sandbox/server.ts', {
    HOST: '127.0.0.1', STARMODEL_SECRET: 'soak-secret-0123456789abcdef0123456789', STARMODEL_LOG_FORMAT: 'json',
    REDIS_URL: '', DATABASE_URL: '', STARMODEL_SQLITE_FILE: join(folder, 'soak.sqlite'),
  });
  const { hostname, port, host } = new URL(server.url);
  const samples: { at: number; rss: number }[] = [];
  try {
    console.log(`soak: sandbox pid ${server.pid} at ${server.url}; ${STREAMS} streams, ${RATE} increments/s for ${SECONDS} s, RSS every ${Math.round(SAMPLE_MS)} ms`);
    const streams: LiveReader[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, STREAMS) }, async () => {
      while (next < STREAMS) {
        const index = next++;
        streams[index] = await openStream(hostname, Number(port), host);
      }
    }));
    const rssOpen = rssBytes(server.pid);
    console.log(`soak: ${streams.length} streams open, server RSS ${mb(rssOpen)}`);

    const started = performance.now();
    const sampler = setInterval(() => samples.push({ at: performance.now() - started, rss: rssBytes(server.pid) }), SAMPLE_MS);
    let cookie = '';
    let sent = 0;
    let acknowledged = 0;
    let lastVersion = 0;
    const failures: string[] = [];
    const pending = new Set<Promise<void>>();
    const send = () => {
      sent++;
      const request = increment(server.url, cookie).then((answer) => {
        cookie = answer.cookie;
        if (answer.status === 200) {
          acknowledged++;
          lastVersion = Math.max(lastVersion, answer.version);
        } else failures.push(`status ${answer.status}`);
      }, (error: unknown) => { failures.push(String(error)); }).finally(() => pending.delete(request));
      pending.add(request);
    };
    // The first increment alone, so later ones reuse its session cookie like one browser tab.
    send();
    await Promise.all(pending);
    const total = Math.round(SECONDS * RATE);
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE) + 1);
      while (sent < due) send();
      await sleep(Math.max(1, 1000 / RATE / 2));
    }
    await Promise.all(pending);
    clearInterval(sampler);
    const elapsed = (performance.now() - started) / 1000;

    // Every stream that kept reading gets every version up to the last acknowledged one.
    const deadline = sleep(15_000).then(() => 'timeout' as const);
    await Promise.race([Promise.all(streams.map((stream) => stream.reached(lastVersion))), deadline]);
    const behind = streams.filter((stream) => stream.lastId === undefined || stream.lastId < lastVersion).length;
    const withGaps = streams.filter((stream) => stream.gaps > 0).length;
    const closed = streams.filter((stream) => stream.closed).length;
    const badStatus = streams.filter((stream) => stream.status !== 200).length;
    const patches = streams.reduce((sum, stream) => sum + stream.events - 1, 0);
    for (const stream of streams) stream.socket.destroy();

    const third = Math.floor(samples.length / 3);
    const secondThird = median(samples.slice(third, 2 * third).map((sample) => sample.rss));
    const lastThird = median(samples.slice(2 * third).map((sample) => sample.rss));
    const growth = secondThird ? lastThird / secondThird - 1 : 0;
    const memoryFlat = samples.length >= 6 && growth <= RSS_BOUND;

    console.log(`soak: ${sent} increments sent in ${elapsed.toFixed(1)} s, ${acknowledged} acknowledged, last version ${lastVersion}, ${failures.length} failed${failures.length ? ` (${[...new Set(failures)].slice(0, 3).join('; ')})` : ''}`);
    console.log(`soak: ${streams.length} streams, ${patches} patches read; behind ${behind}, with gaps ${withGaps}, closed by the server ${closed}, non-200 ${badStatus}`);
    console.log(`soak: RSS ${samples.length} samples, after opening ${mb(rssOpen)}, median second third ${mb(secondThird)}, median last third ${mb(lastThird)} (${(growth * 100).toFixed(1)}%, bound +${(RSS_BOUND * 100).toFixed(0)}%), max ${mb(Math.max(...samples.map((sample) => sample.rss)))}`);
    const ok = memoryFlat && behind === 0 && withGaps === 0 && closed === 0 && badStatus === 0 && failures.length === 0 && acknowledged === sent;
    console.log(`RESULT ${JSON.stringify({ ok, streams: streams.length, sent, acknowledged, lastVersion, patches, behind, withGaps, closed, rssSecondThird: secondThird, rssLastThird: lastThird, growth, samples: samples.length })}`);
    if (!memoryFlat) console.error(`FAIL memory grew ${(growth * 100).toFixed(1)}% after the warm-up (bound ${(RSS_BOUND * 100).toFixed(0)}%) or too few samples (${samples.length})`);
    if (behind || withGaps || closed || badStatus) console.error('FAIL some streams that kept reading missed patches');
    if (failures.length || acknowledged !== sent) console.error('FAIL some increments were not acknowledged');
    return ok;
  } finally {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().then((ok) => process.exit(ok ? 0 : 1), (error: unknown) => {
  console.error(`FAIL ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  killStarted();
  process.exit(1);
});
