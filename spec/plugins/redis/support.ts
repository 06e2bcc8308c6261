/**
 * Helpers for the Redis specs: the shared Redis (pending when absent), a unique key prefix per run
 * (other developers use the same Redis at the same time), a Redis server of our own for fault
 * specs, and an SSE reader that also tells whether the stream is still open.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { serviceUrl } from '../../../kernel/testing/index.js';
import { freePort } from '../../support/net.js';
import { parseSse, type SseEvent } from '../../support/web-app.js';

export { freePort };

/** The shared Redis of the specs: REDIS_URL, else 127.0.0.1:6379. */
export const REDIS = { env: 'REDIS_URL', fallback: 'redis://127.0.0.1:6379', what: 'Redis' } as const;

/** The shared Redis's URL, or undefined after marking the spec pending (fails under CI=true). */
export function redisUrl(context: { skip(): void }): Promise<string | undefined> {
  return serviceUrl(context, REDIS);
}

/** A key prefix no other run uses. */
export function uniquePrefix(label: string): string {
  return `sm-spec-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A short-lived connection for a spec's own checks. */
export async function connect(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Deletes every key under a prefix (what a spec created). */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = await connect(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** Kills one connection of ours by its CLIENT SETNAME name (a real connection cut, nobody else's). */
export async function killConnection(url: string, name: string): Promise<number> {
  const client = await connect(url);
  try {
    const list = String(await client.client('LIST'));
    const ids = list.split('\n').filter((line) => line.includes(` name=${name} `)).map((line) => /^id=(\d+)/.exec(line)?.[1]).filter((id): id is string => id !== undefined);
    for (const id of ids) await client.client('KILL', 'ID', id);
    return ids.length;
  } finally {
    client.disconnect();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await sleep(everyMs);
  }
}

/** A redis-server of the spec's own, on a fixed port, that can be killed and started again. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Starts it (again) on the same port and waits until it answers PING. */
  start(): Promise<void>;
  /** Kills it by PID (SIGKILL: no goodbye to clients) and waits for the exit. */
  kill(): Promise<void>;
}

/** True when a `redis-server` binary is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Prepares (does not start) a private redis-server on a free port, no persistence. */
export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  return {
    port, url,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
      await eventually(`redis-server on port ${port}`, async () => {
        const client = await connect(url);
        try {
          return (await client.ping()) === 'PONG' ? true : undefined;
        } finally {
          client.disconnect();
        }
      }, 10_000, 50);
    },
    async kill() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
  };
}

/** An SSE stream being read: its events, whether the server ended it, and helpers to wait. */
export interface LiveReader {
  readonly status: number;
  readonly events: SseEvent[];
  /** True once the server closed the stream. */
  ended(): boolean;
  /** Waits until `predicate` holds for the events so far; returns them. */
  until(what: string, predicate: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  stop(): void;
}

/** Opens a live stream (Datastar SSE) and reads it in the background. */
export async function readLive(url: string, headers: Record<string, string> = {}): Promise<LiveReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { 'Datastar-Request': 'true', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  let done = false;
  let buffer = '';
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += Buffer.from(chunk).toString();
        const end = buffer.lastIndexOf('\n\n');
        if (end < 0) continue;
        events.push(...parseSse(buffer.slice(0, end + 2)));
        buffer = buffer.slice(end + 2);
      }
    } catch {
      // aborted by stop()
    }
    done = true;
  })();
  return {
    status: response.status, events,
    ended: () => done,
    until: async (what, predicate, timeoutMs = 10_000) => {
      await eventually(what, () => (predicate(events) ? true : undefined), timeoutMs, 20);
      return events;
    },
    stop: () => controller.abort(),
  };
}

/** The `count` of every Counter signals event in a stream, in order. */
export function countsOf(events: readonly SseEvent[], namespace = 'Counter'): number[] {
  return events.filter((event) => event.data.some((line) => line.startsWith('signals '))).map((event) => {
    const signals = JSON.parse(event.data.filter((line) => line.startsWith('signals ')).map((line) => line.slice(8)).join('\n')) as Record<string, { count?: unknown } | undefined>;
    return signals[namespace]?.count;
  }).filter((count): count is number => typeof count === 'number');
}
