/**
 * @module @starmodel/redis/bridge
 * The bus between instances. Every change this process publishes goes to the Redis channel
 * `<prefix>:changes`; every change another instance sent there is delivered to this process's
 * bus (so its live streams send it), exactly once: Redis delivers each message once per
 * subscription, this process has one subscription, and its own messages are dropped by origin.
 *
 * Nothing is queued while Redis is away (memory would grow without bound). Instead:
 * - when this process's subscription comes back, every local live stream is told to resend the
 *   whole state (`bus.resync()`), covering whatever other instances published meanwhile;
 * - when this process could not send a change, it sends a `resync` message once Redis is back,
 *   so every other instance's streams resend the whole state too.
 * Live streams also heal a version gap by themselves (the next change carries the whole state).
 */
import { isPlainObject, STAGE_DELIVER, type Change, type Kernel, type Logger, type PluginApi } from 'starmodel';
import type { RedisConnections } from './connection.js';

/** Counters of the bridge, for metrics. */
export interface BridgeStats {
  /** Changes this process sent to the channel. */
  readonly sent: number;
  /** Changes from other instances delivered to this process's bus. */
  readonly received: number;
  /** Changes that could not be sent (Redis away); covered by a resync afterwards. */
  readonly missed: number;
  /** Messages dropped: unreadable, or for an entity this app does not have or keeps local. */
  readonly ignored: number;
  /** Times this process's live streams were told to resend the whole state. */
  readonly resyncs: number;
}

type Envelope = { kind: 'change'; change: Change } | { kind: 'resync'; origin: string };

const isText = (value: unknown): value is string => typeof value === 'string';

/** Checks the shape of a change that came over the wire before it reaches any listener. */
function isChange(value: unknown): value is Change {
  if (!isPlainObject(value)) return false;
  const { type, id, version, patch, signals, elements, command, origin } = value;
  return isText(type) && isText(id) && isText(origin) && typeof version === 'number' && Number.isInteger(version)
    && isPlainObject(patch) && isPlainObject(signals) && isPlainObject(command)
    && Array.isArray(elements) && elements.every((element) => isPlainObject(element) && isText(element.html));
}

/** Sends local changes to the channel and delivers other instances' changes locally. */
export class ChangeBridge {
  readonly #kernel: Kernel;
  readonly #connections: RedisConnections;
  readonly #channel: string;
  readonly #localStores: ReadonlySet<string>;
  readonly #log: Logger;
  readonly #stats = { sent: 0, received: 0, missed: 0, ignored: 0, resyncs: 0 };
  /** Changes not sent since Redis went away; a resync message goes out when it is back. */
  #unsent = 0;
  #started = false;
  #closed = false;
  #warnedUnreadable = false;

  constructor(kernel: Kernel, connections: RedisConnections, options: { channel: string; localStores: readonly string[]; log: Logger }) {
    this.#kernel = kernel;
    this.#connections = connections;
    this.#channel = options.channel;
    this.#localStores = new Set(options.localStores);
    this.#log = options.log;
  }

  /** Taps `publish` and wires the subscriber. Call before the connections open. */
  install(hooks: PluginApi['hooks']): void {
    hooks.publish.tap((change) => this.send(change), { stage: STAGE_DELIVER });
    this.#connections.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#receive(message);
    });
    // Decided when the connection becomes ready: the first one during startup has no streams to heal.
    this.#connections.onReady('subscriber', () => void this.#subscribe(this.#started));
    this.#connections.onReady('commands', () => void this.#announceGap());
  }

  /** Marks the end of startup: from now on a returning subscription resyncs the local streams. */
  started(): void {
    this.#started = true;
  }

  /** Stops sending and delivering (kernel close). */
  close(): void {
    this.#closed = true;
  }

  get stats(): BridgeStats {
    return { ...this.#stats };
  }

  #isLocal(type: string): boolean {
    const meta = this.#kernel.registry.find(type);
    return meta !== undefined && this.#localStores.has(meta.store);
  }

  /** The publish tap: sends a change this process made to the other instances. */
  async send(change: Change): Promise<void> {
    if (this.#closed || change.origin !== this.#kernel.instanceId || this.#isLocal(change.type)) return;
    let message: string;
    try {
      message = JSON.stringify({ kind: 'change', change } satisfies Envelope);
    } catch (error) {
      this.#stats.ignored++;
      this.#log.warn(`a change of ${change.type} ${change.id} cannot be sent to other instances: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!this.#connections.available) return this.#miss();
    try {
      await this.#connections.commands.publish(this.#channel, message);
      this.#stats.sent++;
    } catch {
      this.#miss();
    }
  }

  #miss(): void {
    this.#stats.missed++;
    this.#unsent++;
  }

  async #subscribe(resync: boolean): Promise<void> {
    try {
      // Idempotent: after a reconnect ioredis has already resubscribed, and Redis keeps one subscription per channel.
      // Awaiting it means the subscription is active before the streams reload their state.
      await this.#connections.subscriber.subscribe(this.#channel);
    } catch {
      return; // the connection dropped again; the next 'ready' tries again
    }
    if (!resync || this.#closed) return;
    this.#resyncLocal('the subscription to other instances\' changes was restored');
  }

  async #announceGap(): Promise<void> {
    if (this.#unsent === 0 || this.#closed) return;
    const unsent = this.#unsent;
    try {
      await this.#connections.commands.publish(this.#channel, JSON.stringify({ kind: 'resync', origin: this.#kernel.instanceId } satisfies Envelope));
      this.#unsent -= unsent;
      this.#log.info(`${unsent} change(s) made while Redis was away were not sent; the other instances were told to resend the whole state to their live streams.`);
    } catch {
      // Redis went away again; the next 'ready' tries again.
    }
  }

  #resyncLocal(why: string): void {
    this.#stats.resyncs++;
    this.#log.info(`${why}: live streams resend the whole state.`);
    this.#kernel.bus.resync();
  }

  #receive(message: string): void {
    if (this.#closed || this.#kernel.closing) return;
    let envelope: unknown;
    try {
      envelope = JSON.parse(message);
    } catch {
      envelope = undefined;
    }
    if (!isPlainObject(envelope)) return this.#unreadable();
    if (envelope.kind === 'resync') {
      if (envelope.origin !== this.#kernel.instanceId) this.#resyncLocal('another instance could not send some changes');
      return;
    }
    const change = envelope.change;
    if (envelope.kind !== 'change' || !isChange(change)) return this.#unreadable();
    if (change.origin === this.#kernel.instanceId) return; // our own, already delivered locally
    if (!this.#kernel.registry.find(change.type) || this.#isLocal(change.type)) {
      this.#stats.ignored++;
      return;
    }
    this.#stats.received++;
    this.#kernel.bus.deliver(change);
  }

  #unreadable(): void {
    this.#stats.ignored++;
    if (this.#warnedUnreadable) return;
    this.#warnedUnreadable = true;
    this.#log.warn(`ignoring a message on ${this.#channel} that is not a StarModel change (is another program publishing there? use another prefix). Further ones are ignored silently.`);
  }
}
