/**
 * @module channels
 * Lifecycle channels: `node:diagnostics_channel` tracing channels on which the kernel announces
 * each event (start, each committed step, end, error), each commit and each publish. They are the
 * seam for observers (metrics, logs, OpenTelemetry): subscribing costs the event path a few
 * function calls, and nobody subscribing costs it one `hasSubscribers` check per event.
 *
 * ```ts
 * import { tracingChannel } from 'node:diagnostics_channel';
 * tracingChannel('starmodel:dispatch').subscribe({
 *   start(trace) { trace.startedAt = performance.now(); },
 *   asyncEnd(trace) { console.log(trace.entity, trace.event, dispatchOutcome(trace)); }, // after error too
 *   end() {}, asyncStart() {}, error(trace) { console.error(trace.error); },
 * });
 * ```
 * The trace object is the same for every message of one event, so a subscriber may keep its own
 * data on it (a span, a start time) under a key of its own.
 */
import { channel, tracingChannel, type TracingChannel } from 'node:diagnostics_channel';
import type { Change, DispatchContext, DispatchResult, UnitOfWork } from './change.js';
import { isStarmodelError } from './errors.js';

/** Channel names, for subscribers that do not import the kernel. */
export const CHANNELS = {
  /**
   * Tracing channel (`tracing:starmodel:dispatch:start|end|asyncStart|asyncEnd|error`): one event.
   * As with every `tracePromise`, `asyncEnd` follows `error` too: check `'error' in trace`.
   */
  dispatch: 'starmodel:dispatch',
  /** Plain channel: one committed step of an event (each `yield` of a generator, and the end). */
  step: 'starmodel:dispatch:step',
  /** Tracing channel: the `commit` hook for one step (the store write and its companions). */
  commit: 'starmodel:commit',
  /** Tracing channel: the `publish` hook for one change (delivery to streams, other instances). */
  publish: 'starmodel:publish',
} as const;

/** One event, from `start` to `asyncEnd` or `error`. Subscribers may add their own keys. */
export interface DispatchTrace {
  /** The instance id of the kernel that runs it (several kernels may share a process). */
  readonly kernel: string;
  readonly entity: string;
  readonly event: string;
  /** The record id the request named, when it named one. */
  readonly id: string | undefined;
  readonly context: DispatchContext;
  /** Set before `asyncEnd` when the event resolved. */
  result?: DispatchResult;
  /** Set before `error` when it was refused or failed. */
  error?: unknown;
  [key: symbol]: unknown;
}

/** One committed step of an event. */
export interface StepTrace {
  readonly dispatch: DispatchTrace;
  /** The change it committed and published; undefined for a step that changed nothing. */
  readonly change: Change | undefined;
  /** True for the event's last step. */
  readonly final: boolean;
}

/** The `commit` hook for one unit of work. */
export interface CommitTrace {
  /** The instance id of the kernel that commits. */
  readonly kernel: string;
  readonly unit: UnitOfWork;
  error?: unknown;
  [key: symbol]: unknown;
}

/** The `publish` hook for one change. */
export interface PublishTrace {
  /** The change; `change.origin` is the instance id of the kernel that publishes it. */
  readonly change: Change;
  error?: unknown;
  [key: symbol]: unknown;
}

export const dispatchChannel: TracingChannel<unknown, DispatchTrace> = tracingChannel(CHANNELS.dispatch);
export const stepChannel = channel(CHANNELS.step);
export const commitChannel: TracingChannel<unknown, CommitTrace> = tracingChannel(CHANNELS.commit);
export const publishChannel: TracingChannel<unknown, PublishTrace> = tracingChannel(CHANNELS.publish);

/** How an event ended, from its trace. */
export type DispatchOutcome = 'ok' | 'queued' | 'rejected' | 'failed';

/**
 * `ok` (ran and committed), `queued` (a `dispatch` tap took it over, e.g. a background job),
 * `rejected` (refused with a 4xx StarmodelError: bad arguments, not allowed, conflict) or
 * `failed` (anything else). Undefined while the event runs.
 */
export function dispatchOutcome(trace: DispatchTrace): DispatchOutcome | undefined {
  if ('error' in trace) return isStarmodelError(trace.error) && trace.error.status < 500 ? 'rejected' : 'failed';
  if (!trace.result) return undefined;
  return trace.result.takenOver ? 'queued' : 'ok';
}

const kTrace = Symbol('starmodel.trace');

/** The trace of the event a dispatch context belongs to, while someone subscribes. */
export function traceOf(context: DispatchContext): DispatchTrace | undefined {
  return (context as unknown as { [kTrace]?: DispatchTrace })[kTrace];
}

/** Runs `dispatch` under a trace when anyone subscribes to the dispatch channel. */
export function tracedDispatch(kernel: string, entity: string, event: string, id: string | undefined, context: DispatchContext, run: () => Promise<DispatchResult>): Promise<DispatchResult> {
  if (!dispatchChannel.hasSubscribers) return run();
  const trace: DispatchTrace = { kernel, entity, event, id, context };
  (context as unknown as { [kTrace]?: DispatchTrace })[kTrace] = trace;
  return dispatchChannel.tracePromise(run, trace);
}

/** Publishes one committed step, when anyone subscribes. */
export function announceStep(context: DispatchContext, change: Change | undefined, final: boolean): void {
  if (!stepChannel.hasSubscribers) return;
  const dispatch = traceOf(context);
  if (dispatch) stepChannel.publish({ dispatch, change, final } satisfies StepTrace);
}

/**
 * Runs a hook call under a tracing channel when anyone subscribes. `call` returns undefined when
 * every tap finished synchronously; without subscribers its result is passed through untouched.
 */
export function traced<T extends object>(tracing: TracingChannel<unknown, T>, message: T, call: () => PromiseLike<unknown> | undefined): PromiseLike<unknown> | undefined {
  if (!tracing.hasSubscribers) return call();
  return tracing.tracePromise(async () => {
    const pending = call();
    if (pending) await pending;
  }, message);
}
