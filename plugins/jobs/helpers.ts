/**
 * @module @starmodel/jobs/helpers
 * Functions an event method calls: is this a background run (`currentJob`), how far it is
 * (`reportProgress`), and queue another event once this one's change is saved (`later`, `laterOn`).
 * They find their kernel through the running event's dispatch context, so they need no argument.
 */
import { afterCommit, currentDispatch, StarmodelError, validateNamed, type DispatchContext, type Entity, type EntityClass, type EventArgs, type EventName } from 'starmodel';
import { schemasOf } from './job-data.js';
import { isWorkerLocal, type JobsRuntime } from './runtime.js';
import { JOBS_PLUGIN } from './types.js';

// Shared through the global symbol registry: when this module is loaded twice (a test runner's
// require next to the app's import, or two installed copies), both copies see the same links.
const registryKey = Symbol.for('@starmodel/jobs.runtimes');
const runtimes = ((globalThis as Record<symbol, unknown>)[registryKey] ??= new WeakMap<DispatchContext, JobsRuntime>()) as WeakMap<DispatchContext, JobsRuntime>;

/** Links a dispatch to the jobs runtime of its kernel (done by the take-over tap for every event). */
export function attachRuntime(context: DispatchContext, runtime: JobsRuntime): void {
  runtimes.set(context, runtime);
}

/** What an event learns about the job running it. */
export interface CurrentJob {
  readonly id: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** The schedule's id (`Entity.event`) when `@event({ every })` produced this run. */
  readonly schedule?: string;
}

/** The job running the current event, or undefined when the event runs in a request (or outside any event). */
export function currentJob(): CurrentJob | undefined {
  const local = currentDispatch()?.locals.get(JOBS_PLUGIN);
  if (!isWorkerLocal(local)) return undefined;
  return { id: local.jobId, attempt: local.attempt, maxAttempts: local.maxAttempts, ...(local.schedule ? { schedule: local.schedule } : {}) };
}

/**
 * Records how far the running job is (0 to 1, and an optional message) on the job itself, where
 * the `jobs` service (and the admin) can read it. Does nothing outside a background run.
 *
 * Browsers see progress through the entity: set a field and `yield` in a generator event; every
 * `yield` commits and publishes the fields changed so far.
 * @example
 * ```ts
 * this.progress = 0.4; this.stage = 'resizing';
 * await reportProgress(0.4, 'resizing');
 * yield;
 * ```
 */
export async function reportProgress(fraction: number, message?: string): Promise<void> {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) throw new RangeError(`reportProgress(fraction): expected a number from 0 to 1, got ${String(fraction)}.`);
  const context = currentDispatch();
  const local = context?.locals.get(JOBS_PLUGIN);
  if (!context || !isWorkerLocal(local)) return;
  await runtimes.get(context)?.running(local.jobId)?.progress({ fraction, ...(message !== undefined ? { message } : {}) });
}

function queueLater(cls: EntityClass, id: string | undefined, event: string, positional: readonly unknown[], caller: string): void {
  const context = currentDispatch();
  const runtime = context && runtimes.get(context);
  if (!context || !runtime) throw new Error(`${caller}() queues a job from inside an event; call it in an @event method of an app that loads @starmodel/jobs.`);
  const meta = runtime.api.kernel.registry.get(cls);
  const eventMeta = meta.events.get(event);
  if (!eventMeta) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event });
  const raw = Object.fromEntries(eventMeta.args.map((arg, index) => [arg.name, positional[index]]));
  // Validated now, so a bad argument fails the event that asked, not a worker later.
  const args = validateNamed(schemasOf(eventMeta), raw);
  const actor = { sessionId: context.sessionId, user: context.user };
  // After the change is saved: a job queued from inside an event never runs before it.
  afterCommit(context, () => runtime.enqueue(meta, eventMeta, id, args, actor));
}

/**
 * Queues an event to run in the background once the current event's change is committed (after
 * its next `yield`, or its end). Nothing is queued when the event fails. Runs as the same session
 * and user.
 * @example `later(Mailer, 'sendDigest', 'weekly')`
 */
export function later<T extends Entity, K extends EventName<T>>(cls: EntityClass<T>, event: K, ...args: EventArgs<T, K>): void {
  queueLater(cls, undefined, event, args, 'later');
}

/**
 * `later` for one record: queues `event` on record `id` once the current event's change is committed.
 * @example
 * ```ts
 * @event({ method: 'post' }) static start(title: string) {
 *   const task = Object.assign(new Task(), { id: randomUUID(), title });
 *   laterOn(Task, task.id, 'run');
 *   return task;
 * }
 * ```
 */
export function laterOn<T extends Entity, K extends EventName<T>>(cls: EntityClass<T>, id: string, event: K, ...args: EventArgs<T, K>): void {
  queueLater(cls, id, event, args, 'laterOn');
}
