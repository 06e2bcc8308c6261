/**
 * @module @starmodel/ops/events
 * Follows every event through the kernel's hooks: a `dispatch` tap that runs first marks its
 * start, one that runs last learns that no other tap took the event over, the dispatch context's
 * `onStep` tells each committed step and the end, `commit` and `publish` taps at the outer stages
 * time those hooks. The HTTP middleware (requests.ts) ends an event with its outcome, because the
 * kernel has no hook that sees an event fail.
 */
import type { Logger as PinoLogger } from 'pino';
import { entityTopic, typeTopic, type Change, type DispatchContext, type Kernel, type PluginHooks, type StepResult, type UnitOfWork } from 'starmodel';
import type { EventOutcome, OpsMetrics } from './metrics.js';
import { currentRequest } from './scope.js';

/** Runs before every other tap of a hook (observers must see the whole of it). */
export const STAGE_OBSERVE_FIRST = -1_000_000;
/** Runs after every other tap of a hook. */
export const STAGE_OBSERVE_LAST = 1_000_000;

/** One event as the operations plugin follows it. */
export interface EventObservation {
  readonly entity: string;
  readonly event: string;
  /** `process.hrtime.bigint()` when the first dispatch tap saw it. */
  readonly start: bigint;
  /** False when it was refused or taken over by a dispatch tap before running. */
  ran: boolean;
  /** Committed steps so far (one per `yield`, plus the end). */
  steps: number;
  /** True once the final step was committed and published: the event succeeded. */
  final: boolean;
  /** True once counted and logged. */
  ended: boolean;
  /** Dispatched while serving an HTTP request (which then ends it); false for jobs, CLI, tests. */
  readonly inRequest: boolean;
}

/** Milliseconds since an `hrtime.bigint()` instant, to 0.1 ms. */
export function msSince(start: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
}

/** How an event that reached the end of its HTTP request ended. */
export function outcomeOf(status: number, observation: EventObservation | undefined): EventOutcome {
  if (status >= 500) return 'failed';
  if (status >= 400) return 'rejected';
  // Headers went out with the first step; a later error was reported inside the stream.
  if (observation && observation.steps > 0 && !observation.final) return 'failed';
  if (observation && !observation.ran) return 'queued';
  if (status === 202) return 'queued';
  return 'ok';
}

/** Counts, times and logs events. */
export class EventTracker {
  readonly #byContext = new WeakMap<DispatchContext, EventObservation>();
  readonly #commitStarts = new WeakMap<UnitOfWork, bigint>();
  readonly #publishStarts = new WeakMap<Change, bigint>();

  constructor(private readonly kernel: Kernel, private readonly metrics: OpsMetrics | undefined, private readonly log: PinoLogger, private readonly logEvents: boolean) {}

  /** Taps the kernel's hooks. */
  install(hooks: PluginHooks): void {
    hooks.dispatch.tap((command, context) => {
      const request = currentRequest();
      const observation: EventObservation = { entity: command.entity, event: command.event, start: process.hrtime.bigint(), ran: false, steps: 0, final: false, ended: false, inRequest: request !== undefined };
      request?.events.push(observation);
      this.#byContext.set(context, observation);
      const inner = context.onStep;
      context.onStep = (step) => {
        this.#stepDone(observation, step);
        return inner?.(step);
      };
      return undefined;
    }, { stage: STAGE_OBSERVE_FIRST });
    hooks.dispatch.tap((_command, context) => {
      const observation = this.#byContext.get(context);
      if (observation) observation.ran = true;
      return undefined;
    }, { stage: STAGE_OBSERVE_LAST });
    hooks.commit.tap((unit) => {
      this.#commitStarts.set(unit, process.hrtime.bigint());
    }, { stage: STAGE_OBSERVE_FIRST });
    hooks.commit.tap((unit) => {
      const start = this.#commitStarts.get(unit);
      if (start !== undefined) this.metrics?.commitDuration.observe({ entity: unit.meta.name }, msSince(start) / 1000);
    }, { stage: STAGE_OBSERVE_LAST });
    hooks.publish.tap((change) => {
      this.#publishStarts.set(change, process.hrtime.bigint());
      const subscribers = this.kernel.bus.listenerCount(entityTopic(change.type, change.id)) + this.kernel.bus.listenerCount(typeTopic(change.type));
      if (subscribers > 0) this.metrics?.patchesDelivered.inc({ entity: change.type }, subscribers);
    }, { stage: STAGE_OBSERVE_FIRST });
  }

  #stepDone(observation: EventObservation, step: StepResult): void {
    observation.steps++;
    // The dispatcher calls onStep right after the publish hook settled: that is the end of publish.
    const start = step.change ? this.#publishStarts.get(step.change) : undefined;
    if (start !== undefined && step.change) this.metrics?.publishDuration.observe({ entity: step.change.type }, msSince(start) / 1000);
    if (!step.final) return;
    observation.final = true;
    // Outside a request nothing else will see the end; a request ends its events with their status.
    if (!observation.inRequest) this.end(observation, 'ok');
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

  /** An observation for an event request refused before any dispatch tap ran (bad arguments, cross-site). */
  static refusedEarly(entity: string, event: string, start: bigint): EventObservation {
    return { entity, event, start, ran: false, steps: 0, final: false, ended: false, inRequest: true };
  }
}
