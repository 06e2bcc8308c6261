/**
 * @module bench/drivers/fan-out
 * Drives S2 (fan-out): K browser tabs hold `GET /counter/live` open on raw sockets; one increment
 * must reach all of them. Measures the server's resident memory per open stream (RSS after the
 * K streams minus RSS before, over K, both after a full GC in the server), then the time from
 * sending an increment until each tab has the whole patch event (last, p50, p99). One untimed
 * increment runs first so neither server is measured cold, then `trials` timed ones, one at a time;
 * the median trial (by last delivery) is the run's result. Every stream's bytes are checked after
 * the timed part (state event, then every patch, exactly).
 *
 * Run by bench/run.ts: `node --import tsx bench/drivers/fan-out.ts '<json FanOutConfig>'`;
 * prints `RESULT <json FanOutResult>`.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpConnection, LiveStream } from '../lib/http-client.js';
import { rssBytes } from '../lib/proc.js';
import { countInIncrementBody, incrementBody, incrementRequest, livePatchEvent, liveRequest, liveStateEvent, parseLiveState, SSE_CONTENT_TYPE } from '../lib/protocol.js';
import { percentile } from '../lib/stats.js';

/** What the driver is told to do. */
export interface FanOutConfig {
  readonly url: string;
  readonly serverPid: number;
  readonly clients: number;
  /** Streams opened at once (the rest wait), so the listen backlog never overflows. */
  readonly openConcurrency: number;
  /** Timed increments, one after the other (each reaching every tab); the run reports the median one. */
  readonly trials: number;
}

/** What it measured. */
export interface FanOutResult {
  readonly clients: number;
  readonly lastMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Last-delivery time of every trial. */
  readonly trialsLastMs: readonly number[];
  readonly bytesPerConnection: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly openMs: number;
}

function fail(message: string): never {
  process.stderr.write(`FAIL ${message}\n`);
  process.exit(1);
}

/** Asks the server for a full GC (SIGUSR2, see servers/bare-counter.ts) and reads its RSS once it settled. */
async function settledRss(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await sleep(700);
  return rssBytes(pid);
}

/** Resolves once every stream has `events` complete events; fails after `timeoutMs`. */
function allHave(streams: readonly LiveStream[], events: number, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve) => {
    let missing = streams.filter((stream) => stream.events < events).length;
    if (missing === 0) return resolve();
    const timer = setTimeout(() => fail(`${what}: ${missing} of ${streams.length} streams still lack event ${events} after ${timeoutMs} ms`), timeoutMs);
    for (const stream of streams) {
      if (stream.events >= events) continue;
      stream.onEvent((_, count) => {
        if (count !== events) return;
        if (--missing === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}

async function openStreams(config: FanOutConfig): Promise<LiveStream[]> {
  const { host, hostname, port } = new URL(config.url);
  const streams: LiveStream[] = [];
  let next = 0;
  const openOne = async (index: number) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const stream = new LiveStream(socket);
    streams[index] = stream;
    await new Promise<void>((resolve) => {
      socket.once('error', (error) => fail(`stream ${index}: ${error.message}`));
      stream.onEvent(() => resolve());
      socket.write(liveRequest(host, `benchLive${String(index).padStart(8, "0")}`));
    });
  };
  await Promise.all(Array.from({ length: Math.min(config.openConcurrency, config.clients) }, async () => {
    while (next < config.clients) await openOne(next++);
  }));
  return streams;
}

async function increment(connection: HttpConnection, host: string, expected: number): Promise<void> {
  const response = await connection.request(incrementRequest(host));
  const count = countInIncrementBody(response.body);
  if (response.status !== 200 || response.contentType !== SSE_CONTENT_TYPE || count !== expected || response.body !== incrementBody(expected)) {
    fail(`increment answer differs: expected count ${expected}\n${response.head}\n\n${JSON.stringify(response.body)}`);
  }
}

async function main(config: FanOutConfig): Promise<FanOutResult> {
  const { host, hostname, port } = new URL(config.url);
  const rssBeforeBytes = await settledRss(config.serverPid);
  const opening = performance.now();
  const streams = await openStreams(config);
  const openMs = performance.now() - opening;
  const first = streams[0]!.decode();
  const state = parseLiveState(first.text);
  if (!state) fail(`first live event differs: ${JSON.stringify(first.text)}`);
  const stateEvent = liveStateEvent(state.version, state.count);
  for (const [index, stream] of streams.entries()) {
    const decoded = stream.decode();
    if (decoded.status !== 200 || decoded.contentType !== SSE_CONTENT_TYPE || decoded.text !== stateEvent) {
      fail(`stream ${index}: status ${decoded.status}, content-type ${decoded.contentType}, expected ${JSON.stringify(stateEvent)}, got ${JSON.stringify(decoded.text)}`);
    }
  }
  const rssAfterBytes = await settledRss(config.serverPid);

  const connection = await HttpConnection.open(hostname, Number(port));
  await increment(connection, host, state.count + 1);
  await allHave(streams, 2, 60_000, 'warm-up increment');

  // Each trial is one increment reaching every tab; the median trial stands for the run.
  const trials: { lastMs: number; p50Ms: number; p99Ms: number }[] = [];
  for (let trial = 1; trial <= config.trials; trial++) {
    await sleep(200);
    const events = 2 + trial;
    const sentAt = performance.now();
    const answered = increment(connection, host, state.count + events - 1);
    await allHave(streams, events, 60_000, `timed increment ${trial}`);
    await answered;
    const delays = streams.map((stream) => stream.completedAt[events]! - sentAt);
    trials.push({ lastMs: Math.max(...delays), p50Ms: percentile(delays, 50), p99Ms: percentile(delays, 99) });
  }

  let expected = stateEvent;
  for (let event = 1; event <= config.trials + 1; event++) expected += livePatchEvent(state.version + event, state.count + event);
  for (const [index, stream] of streams.entries()) {
    const decoded = stream.decode();
    if (decoded.text !== expected) fail(`stream ${index}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(decoded.text)}`);
    stream.socket.destroy();
  }
  connection.close();
  const middle = [...trials].sort((a, b) => a.lastMs - b.lastMs)[Math.floor(trials.length / 2)]!;
  return {
    clients: config.clients, ...middle, trialsLastMs: trials.map((trial) => trial.lastMs),
    bytesPerConnection: (rssAfterBytes - rssBeforeBytes) / config.clients, rssBeforeBytes, rssAfterBytes, openMs,
  };
}

const config = JSON.parse(process.argv[2] ?? '{}') as FanOutConfig;
main(config).then((result) => {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}, (error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
