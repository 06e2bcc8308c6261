/**
 * @module change
 * The values that flow through the kernel's hooks: a Command going in, a UnitOfWork being
 * committed, a Change being published, and the DispatchResult handed back to the caller.
 */
import type { Entity, ElementMode } from './entity.js';
import type { FeedbackItem } from './feedback.js';
import type { JsonObject } from './merge-patch.js';
import type { EntityMeta, EventMeta } from './registry.js';
import type { StoredRecord } from './store.js';

/** An HTML fragment to put into the page. */
export interface ElementPatch {
  readonly html: string;
  /** CSS selector; undefined targets the fragment's top-level ids. */
  readonly selector?: string;
  readonly mode?: ElementMode;
}

/** Who caused a command. */
export interface Actor {
  readonly sessionId?: string;
  readonly userId?: string;
}

/**
 * The record of a command that travels with its change (for audit, bridges, jobs). Secrets are
 * redacted (`kernel/redact.ts`): arguments marked `sensitive()`, named after a hidden field or
 * password-like by name read `'[redacted]'`, and so does `actor.sessionId`. Only `dispatch` taps
 * (the `Command`) and the method see the real values.
 */
export interface CommandRecord {
  readonly entity: string;
  readonly event: string;
  readonly id: string | undefined;
  readonly args: Readonly<Record<string, unknown>>;
  readonly actor: Actor;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

/** A validated request to run one event (what `dispatch` taps see): real, unredacted values. */
export interface Command extends CommandRecord {
  readonly meta: EntityMeta;
  readonly eventMeta: EventMeta;
}

/** Per-request values; plugins enrich it in `dispatch` taps (user, request id ...). */
export interface DispatchContext {
  sessionId?: string;
  user?: { readonly id: string; readonly roles?: readonly string[] };
  /** The signals the browser sent with the request, as received (for client-side stores). */
  signals?: unknown;
  /** Free-form values for plugins, keyed by plugin name. */
  readonly locals: Map<string, unknown>;
}

/** A change as published after a successful commit. */
export interface Change {
  readonly type: string;
  readonly id: string;
  readonly version: number;
  /** RFC 7386 merge patch of the entity's signals (not namespaced). */
  readonly patch: JsonObject;
  /** The entity's whole signals after the change. */
  readonly signals: JsonObject;
  readonly elements: readonly ElementPatch[];
  readonly command: CommandRecord;
  /** The kernel instance that made it (bridges use it to avoid echoes). */
  readonly origin: string;
  readonly deleted?: boolean;
  /** True for the last step of the event that made it (every change of a plain method). */
  readonly final: boolean;
}

/** One committed step of one `dispatch` call, as its caller's sink receives it. */
export interface Step {
  /** The change it committed and published; undefined for a step that changed nothing. */
  readonly change: Change | undefined;
  /** True for the event's last step. */
  readonly final: boolean;
  /** What the event asked the browser that ran it to do during this step (redirect, toast, script): for the caller only, never published. */
  readonly feedback: readonly FeedbackItem[];
}

/**
 * Receives each committed step of one `dispatch` call, in order (each `yield`, and the end).
 * Called synchronously and never awaited, so a slow receiver cannot hold the entity's lock; a
 * throw is reported and the event goes on.
 */
export type StepSink = (step: Step) => void;

/** What the `commit` hook receives: the write about to happen. A throw aborts and rolls back. */
export interface UnitOfWork {
  readonly meta: EntityMeta;
  readonly entity: Entity;
  readonly id: string;
  readonly command: CommandRecord;
  /** Field values to save. */
  readonly state: JsonObject;
  readonly patch: JsonObject;
  readonly expectedVersion: number;
  /** The record as it was loaded before the event (undefined for a new entity). */
  readonly previous: StoredRecord | undefined;
  /** True when the event deletes the entity. */
  readonly deleted: boolean;
  /** What the store returned; set by the persisting tap. */
  saved: StoredRecord | undefined;
  /** Registers an undo action, run (in reverse order) if a later commit tap throws. */
  onRollback(undo: () => Promise<void> | void): void;
}

/** What `kernel.dispatch` resolves to. */
export interface DispatchResult {
  readonly type: string;
  readonly id: string;
  readonly version: number;
  /** Merge patch over the whole event (all steps merged). */
  readonly patch: JsonObject;
  /** Whole signals after the event. */
  readonly signals: JsonObject;
  readonly elements: readonly ElementPatch[];
  /** What the method returned (a generator's return value). */
  readonly value: unknown;
  /** Everything the event asked the browser that ran it to do (redirect, toasts, scripts), in order; absent when nothing was asked. */
  readonly feedback?: readonly FeedbackItem[];
  readonly command: CommandRecord;
  /** Set when a dispatch tap took the command over (e.g. a job was queued); nothing ran yet. */
  readonly takenOver?: { readonly by: string; readonly status: number; readonly info?: JsonObject };
}
