/**
 * @module @starmodel/koa/live
 * `GET /<entity>/live`: a long-lived SSE stream of one entity's changes. It sends the whole state
 * first (SSE id = version), then each change as a patch, with keep-alive comments. A client that
 * reconnects with `Last-Event-ID` equal to the current version is not sent the state again; one
 * with an older id is, so a dropped connection never leaves a stale page.
 */
import { entityTopic, namespacedSignals, typeTopic, type Entity, signalsOf, sseComment, versionOf, type Change, type Encoder, type EntityMeta, type Kernel } from 'starmodel';
import type { SseConnection } from './sse.js';

/** Live streams by browser tab and topic, so an event's own tab is not sent its change twice. */
export class LiveRegistry {
  // One counter per "tab + topic" in one map: a map per tab cost every stream a Map of its own.
  readonly #byClientTopic = new Map<string, number>();
  // Open streams per tab: most event requests come from a tab with no stream on their topic, and
  // this answers them without building a "tab topic" key.
  readonly #byClient = new Map<string, number>();
  readonly #connections = new Set<SseConnection>();
  // One timer for every stream's keep-alive comments, instead of one setInterval per stream.
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(private readonly keepAliveMs = 15_000) {}

  /** Records an open stream; returns the function that forgets it. */
  add(connection: SseConnection, clientId: string | undefined, topic: string): () => void {
    this.#connections.add(connection);
    if (!this.#keepAlive && this.keepAliveMs > 0) {
      this.#keepAlive = setInterval(() => {
        const comment = sseComment('keep-alive');
        for (const open of this.#connections) open.write(comment);
      }, this.keepAliveMs);
      this.#keepAlive.unref();
    }
    const tab = clientId || undefined;
    const key = tab ? `${tab} ${topic}` : undefined;
    if (tab && key) {
      this.#byClientTopic.set(key, (this.#byClientTopic.get(key) ?? 0) + 1);
      this.#byClient.set(tab, (this.#byClient.get(tab) ?? 0) + 1);
    }
    return () => {
      this.#connections.delete(connection);
      if (this.#connections.size === 0 && this.#keepAlive) {
        clearInterval(this.#keepAlive);
        this.#keepAlive = undefined;
      }
      if (!tab || !key) return;
      decrement(this.#byClientTopic, key);
      decrement(this.#byClient, tab);
    };
  }

  /** True when this tab has a live stream open on this topic. */
  has(clientId: string | undefined, topic: string): boolean {
    return clientId !== undefined && this.#byClient.has(clientId) && (this.#byClientTopic.get(`${clientId} ${topic}`) ?? 0) > 0;
  }

  /** Number of open live streams. */
  get size(): number {
    return this.#connections.size;
  }

  /** Ends every stream (shutdown). */
  closeAll(): void {
    for (const connection of [...this.#connections]) connection.end();
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const count = (counts.get(key) ?? 1) - 1;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}

const encodings = new WeakMap<Change, Map<string, string>>();

/**
 * The SSE text of a change for live subscribers, encoded once per change and form and shared by
 * every subscriber (fan-out to thousands of streams must not re-encode per stream).
 */
export function encodedChange(change: Change, meta: EntityMeta, encoder: Encoder, form: 'patch' | 'whole' | 'elements'): string {
  // A fan-out asks for the same change and form once per stream in a row: answer those without
  // a lookup or a key string.
  if (change === last.change && form === last.form && encoder === last.encoder) return last.text;
  const text = encodeChangeOnce(change, meta, encoder, form);
  last.change = change;
  last.form = form;
  last.encoder = encoder;
  last.text = text;
  return text;
}

// The most recent encoding (a strong reference to one change until the next one is published).
const last: { change: Change | undefined; form: string; encoder: Encoder | undefined; text: string } = { change: undefined, form: '', encoder: undefined, text: '' };

function encodeChangeOnce(change: Change, meta: EntityMeta, encoder: Encoder, form: 'patch' | 'whole' | 'elements'): string {
  let byForm = encodings.get(change);
  if (!byForm) encodings.set(change, (byForm = new Map()));
  const key = `${encoder.dialect}:${form}`;
  let text = byForm.get(key);
  if (text === undefined) {
    const signals = form === 'patch' ? change.patch : form === 'whole' ? change.signals : {};
    text = Object.keys(signals).length > 0 ? encoder.encode({ kind: 'signals', signals: namespacedSignals(meta, signals) }, { eventId: String(change.version) }) : '';
    for (const element of change.elements) text += encoder.encode({ kind: 'elements', ...element });
    byForm.set(key, text);
  }
  return text;
}

/** What a live stream needs to run. */
export interface LiveStreamOptions {
  readonly kernel: Kernel;
  readonly meta: EntityMeta;
  readonly entityId: string;
  readonly connection: SseConnection;
  readonly encoder: Encoder;
  readonly keepAliveMs: number;
  readonly lastEventId: string | undefined;
  readonly load: () => Promise<Entity>;
}

/** A live stream that has subscribed and loaded, ready to write once the response has started. */
export interface PreparedLiveStream {
  /** Sends the state (unless the client already has this version), then streams changes. */
  begin(): void;
  /** Gives up before starting (the response was not opened). */
  cancel(): void;
}

/** Subscribes first, then loads the entity, so no change between the two is lost. */
export async function prepareLiveStream(options: LiveStreamOptions): Promise<PreparedLiveStream> {
  const { kernel, meta, connection, encoder } = options;
  const namespace = (signals: Record<string, unknown>) => namespacedSignals(meta, signals);
  let lastVersion = -1;
  let buffered: Change[] | undefined = [];

  const write = (change: Change) => {
    if (change.version < lastVersion) return;
    // A gap (changes this process never saw, e.g. from another instance) is healed with the whole state.
    const form = change.version === lastVersion ? 'elements' : change.version === lastVersion + 1 ? 'patch' : 'whole';
    lastVersion = change.version;
    connection.write(encodedChange(change, meta, encoder, form));
  };
  const unsubscribe = kernel.bus.subscribe(entityTopic(meta.name, options.entityId), (change) => {
    if (buffered) buffered.push(change);
    else write(change);
  });
  let entity: Entity | undefined;
  try {
    entity = await options.load();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const begin = () => {
    const loaded = entity!;
    // Only needed for the first event: a stream open for hours should not keep it.
    entity = undefined;
    const version = versionOf(loaded);
    if (options.lastEventId === undefined || options.lastEventId !== String(version)) {
      connection.write(encoder.encode({ kind: 'signals', signals: namespace(signalsOf(meta, loaded)) }, { eventId: String(version) }));
    }
    lastVersion = version;
    const pending = buffered ?? [];
    buffered = undefined;
    for (const change of pending) write(change);
    // A resync comes right after an outage, when the store may not answer yet: keep trying, or the
    // stream would keep its old version and drop every change of a store that started over.
    const resync = (attempt: number) => {
      if (!connection.open) return;
      void options.load().then((fresh) => {
        lastVersion = versionOf(fresh);
        connection.write(encoder.encode({ kind: 'signals', signals: namespace(signalsOf(meta, fresh)) }, { eventId: String(lastVersion) }));
      }, () => {
        if (attempt < 20) setTimeout(() => resync(attempt + 1), 250 * Math.min(attempt + 1, 4)).unref();
      });
    };
    const stopResync = kernel.bus.onResync((type) => {
      if (type === undefined || type === meta.name) resync(0);
    });
    connection.onClose(() => {
      unsubscribe();
      stopResync();
    });
  };
  return { begin, cancel: unsubscribe };
}

/**
 * A stream of every change to a record type: the record views (`render()` output, appended,
 * morphed or removed) that keep a list current. Signals are per record and not sent here.
 */
export function runTypeStream(kernel: Kernel, meta: EntityMeta, connection: SseConnection, encoder: Encoder, keepAliveMs: number): void {
  const unsubscribe = kernel.bus.subscribe(typeTopic(meta.name), (change) => {
    connection.write(encodedChange(change, meta, encoder, 'elements'));
  });
  connection.write(sseComment('connected'));
  connection.onClose(unsubscribe);
}
