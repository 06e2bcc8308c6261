/**
 * @module @starmodel/jobs/runtime
 * One kernel's jobs: queueing an event (identity and arguments captured now), and the processor
 * that runs a queued event later through the kernel's normal dispatch, so its changes are
 * validated, committed and published like any other.
 */
import { identify, isStarmodelError, type DispatchContext, type EntityMeta, type EventMeta, type PluginApi } from 'starmodel';
import { argsToJson, checkStoredArgs, jobDataOf, type JobActor } from './job-data.js';
import type { JobsOptions } from './options.js';
import { FatalJobError, JOBS_PLUGIN, NotRunJobError, type AddOptions, type JobInfo, type JobProcessor, type JobQueue, type RunningJob } from './types.js';

/** The `context.locals` entry of an event run by a worker: the take-over tap lets such events run. */
export interface WorkerLocal {
  readonly worker: true;
  readonly jobId: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** The schedule that produced the job, for `@event({ every })` runs. */
  readonly schedule?: string;
}

/** True when a `context.locals` value marks a worker's run. */
export function isWorkerLocal(value: unknown): value is WorkerLocal {
  return typeof value === 'object' && value !== null && (value as { worker?: unknown }).worker === true && typeof (value as { jobId?: unknown }).jobId === 'string';
}

/** Client errors a retry cannot fix; a conflict (409) or throttling may pass on the next attempt. */
function isPermanent(error: unknown): boolean {
  return isStarmodelError(error) && error.status >= 400 && error.status < 500 && ![408, 409, 429].includes(error.status);
}

/** The queue of one kernel, plus what runs its jobs. */
export class JobsRuntime {
  readonly #running = new Map<string, RunningJob>();

  constructor(readonly api: PluginApi, readonly queue: JobQueue, readonly options: JobsOptions) {}

  /** Attempts and backoff every job gets. */
  get addOptions(): AddOptions {
    return { attempts: this.options.attempts, backoffMs: this.options.backoffMs };
  }

  /**
   * Queues one event. `args` are already validated; the entity is resolved now (a session-scoped
   * event stays with the session that sent it), and a record must exist now.
   */
  async enqueue(meta: EntityMeta, eventMeta: EventMeta, recordId: string | undefined, args: Readonly<Record<string, unknown>>, actor: JobActor): Promise<JobInfo> {
    const entityId = eventMeta.isStatic ? undefined : identify(meta, recordId, actor);
    if (entityId !== undefined && meta.scope === 'record') await this.api.kernel.load(meta.cls, {}, entityId);
    const stored = argsToJson(args);
    checkStoredArgs(meta, eventMeta, stored);
    const info = await this.queue.add(jobDataOf(meta, eventMeta, { entityId, recordId }, stored, actor), this.addOptions);
    this.api.log.debug(`queued job ${info.id}: ${meta.name}.${eventMeta.name}`, { entityId });
    return info;
  }

  /** The job this process is running under `jobId`, for progress reports. */
  running(jobId: string): RunningJob | undefined {
    return this.#running.get(jobId);
  }

  /** Runs a queued event through `kernel.dispatch`, as the actor that queued it. */
  readonly processor: JobProcessor = async (job) => {
    const { kernel } = this.api;
    if (kernel.closing) throw new NotRunJobError();
    const { data } = job;
    const meta = kernel.registry.all().find((candidate) => candidate.name === data.entity);
    // Retried, not failed at once: in a mixed fleet another worker (with that entity) may take it.
    if (!meta) throw new Error(`no entity "${data.entity}" is registered in this process; run workers with the same entities as the app`);
    const local: WorkerLocal = { worker: true, jobId: job.id, attempt: job.attempt, maxAttempts: job.maxAttempts, ...(data.schedule ? { schedule: data.schedule } : {}) };
    const context = {
      ...(data.sessionId ? { sessionId: data.sessionId } : {}),
      ...(data.user ? { user: data.user } : {}),
      locals: new Map<string, unknown>([[JOBS_PLUGIN, local]]),
    };
    if (data.entityId !== undefined && identify(meta, data.recordId, context) !== data.entityId) {
      throw new FatalJobError(`${data.entity}.identify() no longer gives ${data.entityId} for this job's session, user and record`);
    }
    this.#running.set(job.id, job);
    try {
      const result = await kernel.dispatch({ entity: data.entity, event: data.event, args: data.args, ...(data.recordId !== undefined ? { id: data.recordId } : {}) }, context);
      return { version: result.version };
    } catch (error) {
      if (isStarmodelError(error) && error.code === 'SM_KERNEL_CLOSED') throw new NotRunJobError();
      const final = isPermanent(error) || job.attempt >= job.maxAttempts;
      const message = error instanceof Error ? error.message : String(error);
      const fields = { jobId: job.id, attempt: job.attempt, of: job.maxAttempts, ...(isStarmodelError(error) ? { code: error.code } : {}) };
      if (final) this.api.log.error(`job ${job.id} (${data.entity}.${data.event}) failed for good: ${message}`, fields);
      else this.api.log.warn(`job ${job.id} (${data.entity}.${data.event}) failed, will retry: ${message}`, fields);
      if (isPermanent(error)) throw new FatalJobError(message, { cause: error });
      throw error;
    } finally {
      this.#running.delete(job.id);
    }
  };
}
