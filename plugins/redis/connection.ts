/**
 * @module @starmodel/redis/connection
 * The plugin's two Redis connections (commands, and the pub/sub subscriber, which Redis dedicates
 * to subscriptions) and how they behave when Redis goes away:
 *
 * - commands fail at once instead of waiting in a queue (`enableOfflineQueue: false`,
 *   `maxRetriesPerRequest: 0`, no replay of unanswered commands after a reconnect), so a request
 *   answers 503 immediately and memory cannot fill up with queued writes;
 * - a command that gets no answer fails after `commandTimeoutMs`;
 * - both connections retry forever, at most `retryMaxDelayMs` apart, so a returning Redis is used
 *   again without restarting the app;
 * - an outage is logged once when it starts and once when it ends, not on every attempt.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { Logger } from 'starmodel';
import { describeTarget, type RedisOptions } from './options.js';

/** What `ping()` reports, for readiness checks (`kernel.service('redis').ping()`). */
export interface RedisHealth {
  /** True when Redis answered the PING. */
  readonly ok: boolean;
  /** False when no URL is configured (the plugin is inert; nothing uses Redis). */
  readonly configured: boolean;
  /** `host:port[/db]`, never the credentials. */
  readonly target?: string;
  /** The command connection's state: ready, connecting, reconnecting, end ... */
  readonly status: string;
  /** Round trip of the PING in milliseconds, when it answered. */
  readonly latencyMs?: number;
  /** Why it is not ok. */
  readonly message?: string;
}

/** Called when a connection becomes ready; `first` is false after an outage. */
export type ReadyListener = (first: boolean) => void;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The command and subscriber connections to one Redis. Nothing connects before `open()`. */
export class RedisConnections {
  readonly commands: Redis;
  readonly subscriber: Redis;
  readonly target: string;
  readonly #log: Logger;
  readonly #readyListeners: { commands: ReadyListener[]; subscriber: ReadyListener[] } = { commands: [], subscriber: [] };
  #outage = false;
  #closing = false;

  /** `label` names the connections in CLIENT LIST (`<label>-commands`, `<label>-subscriber`). */
  constructor(url: string, options: RedisOptions, log: Logger, label: string) {
    this.target = describeTarget(url);
    this.#log = log;
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      connectTimeout: options.connectTimeoutMs,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, options.retryMaxDelayMs),
    };
    this.commands = new Redis(url, {
      ...common,
      connectionName: `${label}-commands`,
      commandTimeout: options.commandTimeoutMs,
      maxRetriesPerRequest: 0,
      // A write replayed after the caller already got its 503 would be a surprise.
      autoResendUnfulfilledCommands: false,
    });
    this.subscriber = new Redis(url, { ...common, connectionName: `${label}-subscriber` });
    this.#watch(this.commands, 'commands');
    this.#watch(this.subscriber, 'subscriber');
  }

  #watch(client: Redis, role: 'commands' | 'subscriber'): void {
    let readyBefore = false;
    const lost = (reason: string) => {
      // The subscriber shares the server with the command connection; one report per outage is enough.
      if (this.#closing || role !== 'commands' || this.#outage) return;
      this.#outage = true;
      this.#log.warn(`Redis at ${this.target} is not answering (${reason}): entities in the redis store answer 503 and changes are not shared with other instances until it is back. Reconnecting in the background.`);
    };
    client.on('error', (error: Error) => lost(error.message));
    client.on('close', () => {
      if (client.status !== 'end' && readyBefore) lost('connection closed');
    });
    client.on('ready', () => {
      const first = !readyBefore;
      readyBefore = true;
      if (role === 'commands' && this.#outage) {
        this.#outage = false;
        this.#log.info(`Redis at ${this.target} is answering again.`);
      }
      for (const listener of this.#readyListeners[role]) listener(first);
    });
  }

  /** Listens for a connection becoming ready (first time, and after every outage). */
  onReady(role: 'commands' | 'subscriber', listener: ReadyListener): void {
    this.#readyListeners[role].push(listener);
  }

  /**
   * Connects both. Never throws: when Redis is not there yet, the app still starts (events that
   * need Redis answer 503) and the connections keep trying in the background.
   */
  async open(): Promise<void> {
    await Promise.allSettled([this.commands.connect(), this.subscriber.connect()]);
  }

  /** True while commands can be sent. */
  get available(): boolean {
    return this.commands.status === 'ready';
  }

  /** Sends a PING and reports how it went. */
  async ping(): Promise<RedisHealth> {
    const base = { configured: true, target: this.target, status: this.commands.status };
    if (!this.available) return { ...base, ok: false, message: `not connected (${this.commands.status}); reconnecting in the background` };
    const started = performance.now();
    try {
      await this.commands.ping();
      return { ...base, ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      return { ...base, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Closes both connections (politely when they are up) and stops reconnecting. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all([this.commands, this.subscriber].map(async (client) => {
      if (client.status === 'ready') await withTimeout(client.quit().catch(() => undefined), 1000);
      client.disconnect();
    }));
  }
}
