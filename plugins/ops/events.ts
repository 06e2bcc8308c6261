/**
 * @module @starmodel/ops/events
 * Follows every event through the kernel's lifecycle channels (node:diagnostics_channel): the
 * dispatch channel tells its start, its steps and how it ended (ok, queued, rejected, failed),
 * the commit and publish channels time those hooks. No hook taps, no per-event bookkeeping
 * outside the event's own trace object. Requests refused before they reached the kernel (another
 * site, a body too large) are ended by the request middleware (requests.ts) from their route.
 */
import { channel, tracingChannel, type TracingChannelSubscribers } from 'node:diagnostics_channel';
import type { Logger as PinoLogger } from 'pino';
import { CHANNELS, dispatchOutcome, entityTopic, isStarmodelError, typeTopic, type CommitTrace, type DispatchTrace, type Kernel, type PublishTrace, type StepTrace } from 'starmodel';
import type { EventOutcome, OpsMetrics } from './metrics.js';
import { currentRequest, type RequestScope } from './scope.js';

/** One event as the operations plugin follows it. */
export interface EventObservation {
  readonly entity: string;
  readonly event: string;
  /** `process.hrtime.bigint()` when it started. */
  readonly start: bigint;
  /** Committed steps so far (one per `yield`, plus the end). */
  steps: number;
  /** True once counted and logged. */
  ended: boolean;
  /** The HTTP request that dispatched it, if any (jobs, the CLI and specs dispatch outside one). */
  readonly request: RequestScope | undefined;
}

/** Milliseconds since an `hrtime.bigint()` instant, to 0.1 ms. */
export function msSince(start: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
}

// Kept on the kernel's trace objects, which belong to one event, commit or publish each.
const kObservation = Symbol('ops.observation');
const kStart = Symbol('ops.start');

const ignore = () => undefined;

/** Counts, times and logs events. */
export class EventTracker {
  readonly #unsubscribe: (() => void)[] = [];

  constructor(private readonly kernel: Kernel, private readonly metrics: OpsMetrics | undefined, private readonly log: PinoLogger, private readonly logEvents: boolean) {}

  /** Subscribes to the kernel's channels; `uninstall` stops. */
  install(): void {
    this.#subscribe(CHANNELS.dispatch, {
      start: (trace: DispatchTrace) => {
        // The channels are the process's: follow this app's kernel only.
        if (trace.kernel !== this.kernel.instanceId) return;
        const request = currentRequest();
        const observation: EventObservation = { entity: trace.entity, event: trace.event, start: process.hrtime.bigint(), steps: 0, ended: false, request };
        trace[kObservation] = observation;
        request?.events.push(observation);
      },
      end: ignore,
      asyncStart: ignore,
      // Follows `error` too: one place ends every event.
      asyncEnd: (trace: DispatchTrace) => this.#ended(trace),
      error: ignore,
    });
    const countStep = (message: unknown) => {
      const { dispatch } = message as StepTrace;
      const observation = dispatch.kernel === this.kernel.instanceId ? (dispatch[kObservation] as EventObservation | undefined) : undefined;
      if (observation) observation.steps++;
    };
    channel(CHANNELS.step).subscribe(countStep);
    this.#unsubscribe.push(() => channel(CHANNELS.step).unsubscribe(countStep));
    this.#subscribe(CHANNELS.commit, {
      start: (trace: CommitTrace) => { if (trace.kernel === this.kernel.instanceId) trace[kStart] = process.hrtime.bigint(); },
      end: ignore, asyncStart: ignore, error: ignore,
      asyncEnd: (trace: CommitTrace) => trace[kStart] !== undefined && this.metrics?.commitDuration.observe({ entity: trace.unit.meta.name }, msSince(trace[kStart] as bigint) / 1000),
    });
    this.#subscribe(CHANNELS.publish, {
      start: (trace: PublishTrace) => {
        const { change } = trace;
        if (change.origin !== this.kernel.instanceId) return;
        trace[kStart] = process.hrtime.bigint();
        const subscribers = this.kernel.bus.listenerCount(entityTopic(change.type, change.id)) + this.kernel.bus.listenerCount(typeTopic(change.type));
        if (subscribers > 0) this.metrics?.patchesDelivered.inc({ entity: change.type }, subscribers);
      },
      end: ignore, asyncStart: ignore, error: ignore,
      asyncEnd: (trace: PublishTrace) => trace[kStart] !== undefined && this.metrics?.publishDuration.observe({ entity: trace.change.type }, msSince(trace[kStart] as bigint) / 1000),
    });
  }

  /** Unsubscribes from every channel. */
  uninstall(): void {
    for (const stop of this.#unsubscribe.splice(0)) stop();
  }

  #subscribe<T extends object>(name: string, subscribers: TracingChannelSubscribers<T>): void {
    const tracing = tracingChannel<unknown, T>(name);
    tracing.subscribe(subscribers);
    this.#unsubscribe.push(() => tracing.unsubscribe(subscribers));
  }

  #ended(trace: DispatchTrace): void {
    // Another app's tracker in this process keeps its observation under the same key.
    if (trace.kernel !== this.kernel.instanceId) return;
    const observation = trace[kObservation] as EventObservation | undefined;
    if (!observation) return;
    const outcome = dispatchOutcome(trace) ?? 'failed';
    const error = 'error' in trace ? trace.error : undefined;
    const status = error !== undefined ? (isStarmodelError(error) ? error.status : 500) : trace.result?.takenOver?.status ?? 200;
    this.end(observation, outcome, { ...(observation.request ? { reqId: observation.request.id } : {}), status, ...(isStarmodelError(error) ? { code: error.code } : {}) });
  }

  /** Counts and logs an event once. */
  end(observation: EventObservation, outcome: EventOutcome, details: { reqId?: string; status?: number; code?: string } = {}): void {
    if (observation.ended) return;
    observation.ended = true;
    const ms = msSince(observation.start);
    const labels = { entity: observation.entity, event: observation.event, outcome };
    this.metrics?.events.inc(labels);
    this.metrics?.eventDuration.observe(labels, ms / 1000);
    if (!this.logEvents) return;
    const line = { entity: observation.entity, event: observation.event, outcome, ms, ...details };
    const message = `event ${observation.entity}.${observation.event} ${outcome} in ${ms} ms`;
    if (outcome === 'failed') this.log.warn(line, message);
    else this.log.info(line, message);
  }

  /** An event request refused before it reached the kernel (another site, a body too large). */
  static refusedEarly(entity: string, event: string, start: bigint, request: RequestScope): EventObservation {
    return { entity, event, start, steps: 0, ended: false, request };
  }
}

/** The outcome of an event request that never reached the kernel, from its HTTP status. */
export function outcomeOfStatus(status: number): EventOutcome {
  return status >= 500 ? 'failed' : status >= 400 ? 'rejected' : 'ok';
}
