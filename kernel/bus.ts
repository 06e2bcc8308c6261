/**
 * @module bus
 * The in-process bus: every published change is delivered to the listeners of its entity
 * (`entity:<type>:<id>`) and of its type (`type:<type>`). Web and bridge plugins listen here.
 */
import type { Change } from './change.js';

/** Receives changes; a listener that throws is reported and does not stop delivery. */
export type ChangeListener = (change: Change) => void;

/** Topic of one entity. */
export function entityTopic(type: string, id: string): string {
  return `entity:${type}:${id}`;
}

/** Topic of every entity of a type. */
export function typeTopic(type: string): string {
  return `type:${type}`;
}

/** Topic-based, synchronous fan-out within one process. */
export class Bus {
  readonly #topics = new Map<string, Set<ChangeListener>>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void = () => undefined) {
    this.#onError = onError;
  }

  /** Listens to a topic; returns the function that stops listening. */
  subscribe(topic: string, listener: ChangeListener): () => void {
    let listeners = this.#topics.get(topic);
    if (!listeners) this.#topics.set(topic, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#topics.get(topic) === listeners) this.#topics.delete(topic);
    };
  }

  /** Delivers a change to its entity's and its type's listeners. */
  deliver(change: Change): void {
    // Nobody listens (no live stream open): nothing to build topics for.
    if (this.#topics.size === 0) return;
    for (const topic of [entityTopic(change.type, change.id), typeTopic(change.type)]) {
      const listeners = this.#topics.get(topic);
      if (!listeners) continue;
      // A copy: a listener may unsubscribe (itself or others) while the change is delivered.
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (error) {
          this.#onError(error);
        }
      }
    }
  }

  readonly #resync = new Set<(type: string | undefined) => void>();

  /**
   * Listens for resync requests: a bridge that may have missed changes (its connection dropped)
   * asks every stream to send the whole state again. Returns the function that stops listening.
   */
  onResync(listener: (type: string | undefined) => void): () => void {
    this.#resync.add(listener);
    return () => {
      this.#resync.delete(listener);
    };
  }

  /** Asks every stream (of one type, or all) to send the whole state again. */
  resync(type?: string): void {
    for (const listener of [...this.#resync]) {
      try {
        listener(type);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  /** Number of listeners on a topic. */
  listenerCount(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }
}
