/**
 * @module @starmodel/jobs/types
 * The shapes shared by both queues (in-process and BullMQ), the worker and the service.
 */
import type { JsonObject } from 'starmodel';
import type { Schedule } from './schedule.js';

declare module 'starmodel' {
  interface EventOptions {
    /**
     * Runs this event on a schedule (needs @starmodel/jobs): an interval (`'500ms'`, `'30s'`,
     * `'5m'`, `'2h'`, `'1d'`) or a cron string (`'0 3 * * *'`; 6 fields put seconds first). Once
     * per tick across every instance when Redis backs the queue; in every instance otherwise.
     */
    every?: string;
  }
  interface Services {
    /** The background job queue (@starmodel/jobs). */
    jobs: JobsService;
  }
}

/** The plugin's name: the key of its `context.locals` entry and the `takenOver.by` of a queued event. */
export const JOBS_PLUGIN = '@starmodel/jobs';

/** What a queued job carries: enough to run the event later, in any process, as the same actor. */
export interface JobData {
  readonly entity: string;
  readonly event: string;
  /** The entity the event addresses, resolved when it was queued (absent for static events). */
  readonly entityId?: string;
  /** The record id from the request (record entities and custom `identify`). */
  readonly recordId?: string;
  /** The validated arguments, as JSON; validated again when the job runs. */
  readonly args: JsonObject;
  /** The session the event was sent from, so a session-scoped entity is found again. */
  readonly sessionId?: string;
  /** The signed-in user, so `user` scope and authorization see the same user. */
  readonly user?: { readonly id: string; readonly roles?: readonly string[] };
  /** Milliseconds since the epoch. */
  readonly queuedAt: number;
  /** Set on the runs a schedule (`@event({ every })`) produces: the schedule's id. */
  readonly schedule?: string;
}

/** Where a job is. `delayed` is a job waiting for its next attempt (backoff) or its time. */
export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

/** Every state, in the order a job goes through them. */
export const JOB_STATES: readonly JobState[] = ['waiting', 'delayed', 'active', 'completed', 'failed'];

/** How far a running job is, as its event last reported with `reportProgress`. */
export interface JobProgress {
  /** From 0 to 1. */
  readonly fraction: number;
  readonly message?: string;
}

/** A job as the service lists it. */
export interface JobInfo {
  readonly id: string;
  readonly state: JobState;
  readonly data: JobData;
  /** Attempts started so far (1 while the first runs). */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly progress?: JobProgress;
  /** Why the last attempt failed. */
  readonly failedReason?: string;
  readonly queuedAt: number;
  readonly finishedAt?: number;
}

/** Job counts by state. */
export type JobCounts = Record<JobState, number>;

/** A job handed to the processor. */
export interface RunningJob {
  readonly id: string;
  readonly data: JobData;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Records progress on the job (visible through the service). */
  progress(progress: JobProgress): Promise<void>;
}

/** Runs one job; resolves with a small JSON summary, or throws to fail the attempt. */
export type JobProcessor = (job: RunningJob) => Promise<JsonObject>;

/** Thrown by the processor when trying again cannot help (bad arguments, a refusal): the job fails at once. */
export class FatalJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FatalJobError';
  }
}

/** Thrown by the processor when the job was not run and must go back to the queue untouched (shutdown). */
export class NotRunJobError extends Error {
  constructor() {
    super('the application is shutting down; the job goes back to the queue');
    this.name = 'NotRunJobError';
  }
}

/** Per-job options. */
export interface AddOptions {
  readonly attempts: number;
  readonly backoffMs: number;
}

/** The one interface both queues implement. */
export interface JobQueue {
  readonly backend: 'memory' | 'bullmq';
  /** Waits until the queue can take jobs (connects to Redis); throws a clear error when it cannot. */
  ready(): Promise<void>;
  add(data: JobData, options: AddOptions): Promise<JobInfo>;
  /** Starts taking jobs, at most `concurrency` at a time in this process. */
  work(processor: JobProcessor, concurrency: number): Promise<void>;
  /** Produces a job per tick of the schedule (once per tick across instances, for BullMQ). */
  schedule(id: string, schedule: Schedule, data: JobData, options: AddOptions): Promise<void>;
  /**
   * Forgets the schedules `isStale` names (an event of this app's that lost its `every`); schedules
   * of entities this process does not know are left alone (another app may share the queue).
   */
  pruneSchedules(isStale: (id: string) => boolean): Promise<void>;
  counts(): Promise<JobCounts>;
  list(state: JobState, limit: number): Promise<JobInfo[]>;
  get(id: string): Promise<JobInfo | undefined>;
  /** Sends a failed job back to the queue for a fresh set of attempts. */
  retry(id: string): Promise<JobInfo>;
  /**
   * Stops taking new jobs, waits up to `timeoutMs` for running ones, and leaves the rest queued
   * (in Redis for BullMQ; the in-process queue loses them, as documented).
   */
  close(timeoutMs: number): Promise<void>;
}

/**
 * What `api.kernel.service('jobs')` returns: the queue's state, for the admin and for server code.
 * Jobs it returns are records: secret arguments (`sensitive()`, hidden fields, password-like names)
 * and `sessionId` read `'[redacted]'`; only the worker sees the real values.
 */
export interface JobsService {
  /** `'bullmq'` when Redis backs the queue, else `'memory'`. */
  readonly backend: 'memory' | 'bullmq';
  /** Number of jobs in each state. */
  counts(): Promise<JobCounts>;
  /** Jobs in one state, newest first for finished ones, oldest first for waiting ones. @default limit 50 */
  list(state: JobState, options?: { limit?: number }): Promise<JobInfo[]>;
  /** One job, or undefined when unknown (or already removed by the retention limits). */
  get(id: string): Promise<JobInfo | undefined>;
  /** Sends a failed job back to the queue; refuses a job that is not in the failed state. */
  retry(id: string): Promise<JobInfo>;
  /**
   * Queues an event from server code, exactly as a request would: arguments validated now (a
   * StarmodelError with status 400 when bad), the entity resolved now from `id` / `sessionId` / `user`.
   */
  enqueue(input: { entity: string; event: string; id?: string; args?: Readonly<Record<string, unknown>> }, actor?: { sessionId?: string; user?: { id: string; roles?: readonly string[] } }): Promise<JobInfo>;
  /** The schedules this process declared (`@event({ every })`). */
  schedules(): { id: string; entity: string; event: string; every: string }[];
}
