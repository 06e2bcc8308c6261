/**
 * @module @starmodel/jobs/bullmq-queue
 * The Redis-backed queue (BullMQ): jobs survive restarts, retry with exponential backoff, end in
 * a failed state after the last attempt, and are shared by every process on the same queue name
 * and prefix, each job taken by one worker at a time (BullMQ's locks). A process killed mid-job
 * leaves the job locked until the lock expires; BullMQ then runs it again (at least once).
 */
import { Queue, WaitingError, UnrecoverableError, Worker, type Job, type JobsOptions, type JobType } from 'bullmq';
import { StarmodelError, type JsonObject } from 'starmodel';
import type { Schedule } from './schedule.js';
import { FatalJobError, NotRunJobError, type AddOptions, type JobCounts, type JobData, type JobInfo, type JobProcessor, type JobProgress, type JobQueue, type JobState } from './types.js';

/** What the BullMQ queue needs. */
export interface BullmqQueueOptions {
  readonly url: string;
  readonly queue: string;
  readonly prefix: string;
  readonly keepCompleted: number;
  readonly keepFailed: number;
  readonly connectTimeoutMs: number;
  /** Reports errors the queue or worker raise outside any call (lost connection ...). */
  readonly onError: (error: unknown, where: string) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** BullMQ waits for its connection without end while Redis is away: bound what a request waits. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`no answer from Redis within ${ms} ms`)))]);
}

/** The BullMQ states each of ours stands for. */
const BULL_STATES: Record<JobState, JobType[]> = {
  waiting: ['waiting', 'prioritized', 'waiting-children'],
  delayed: ['delayed'],
  active: ['active'],
  completed: ['completed'],
  failed: ['failed'],
};

function stateOf(bullState: string): JobState {
  for (const [state, names] of Object.entries(BULL_STATES) as [JobState, string[]][]) if (names.includes(bullState)) return state;
  return 'waiting';
}

function isProgress(value: unknown): value is JobProgress {
  return typeof value === 'object' && value !== null && typeof (value as { fraction?: unknown }).fraction === 'number';
}

/** The BullMQ-backed queue. */
export class BullmqQueue implements JobQueue {
  readonly backend = 'bullmq' as const;
  #lazyQueue: Queue<JobData, JsonObject> | undefined;
  #worker: Worker<JobData, JsonObject> | undefined;
  readonly #connection: { url: string; maxRetriesPerRequest: null };

  constructor(private readonly options: BullmqQueueOptions) {
    // Workers block on Redis and must retry forever; BullMQ requires maxRetriesPerRequest: null for them.
    this.#connection = { url: options.url, maxRetriesPerRequest: null };
  }

  /** Created on first use, so loading the plugin (e.g. for `starmodel plugins`) opens no connection. */
  get #queue(): Queue<JobData, JsonObject> {
    if (!this.#lazyQueue) {
      // No offline queue: while Redis is away, queueing fails at once (503) instead of hanging the request.
      this.#lazyQueue = new Queue<JobData, JsonObject>(this.options.queue, { connection: { url: this.options.url, enableOfflineQueue: false }, prefix: this.options.prefix });
      this.#lazyQueue.on('error', (error) => this.options.onError(error, `jobs queue "${this.options.queue}"`));
    }
    return this.#lazyQueue;
  }

  async ready(): Promise<void> {
    const where = new URL(this.options.url).host;
    const timedOut = sleep(this.options.connectTimeoutMs).then(() => 'timeout' as const);
    const outcome = await Promise.race([this.#queue.waitUntilReady().then(() => 'ready' as const, (error: unknown) => error), timedOut]);
    if (outcome === 'ready') return;
    // Start anyway: the client keeps reconnecting, queueing answers 503 until Redis answers, and the
    // rest of the app works meanwhile (an app must not depend on the order services come up in).
    const reason = outcome === 'timeout' ? `no answer within ${this.options.connectTimeoutMs} ms` : outcome instanceof Error ? outcome.message : String(outcome);
    this.options.onError(new Error(`Redis at ${where} is not reachable yet (${reason}); background events answer 503 until it is. Start Redis, fix REDIS_URL, or set redis: false for the in-process queue.`), `jobs queue "${this.options.queue}"`);
  }

  #jobOptions(options: AddOptions): JobsOptions {
    return {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: { count: this.options.keepCompleted },
      removeOnFail: { count: this.options.keepFailed },
    };
  }

  async add(data: JobData, options: AddOptions): Promise<JobInfo> {
    let job: Job<JobData, JsonObject>;
    try {
      job = await within(this.#queue.add(`${data.entity}.${data.event}`, data, this.#jobOptions(options)), this.options.connectTimeoutMs);
    } catch (error) {
      throw new StarmodelError('SM_JOBS_UNAVAILABLE', {}, { cause: error });
    }
    return this.#info(job, 'waiting');
  }

  async work(processor: JobProcessor, concurrency: number): Promise<void> {
    const worker = new Worker<JobData, JsonObject>(this.options.queue, async (job, token) => {
      try {
        return await processor({
          id: job.id!, data: job.data, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1,
          progress: (progress) => job.updateProgress(progress as unknown as JsonObject),
        });
      } catch (error) {
        if (error instanceof FatalJobError) throw new UnrecoverableError(error.message);
        if (error instanceof NotRunJobError) {
          // Back to waiting without spending an attempt: another worker (or this one, restarted) takes it.
          await job.moveToWait(token);
          throw new WaitingError();
        }
        throw error;
      }
    }, { connection: this.#connection, prefix: this.options.prefix, concurrency });
    worker.on('error', (error) => this.options.onError(error, `jobs worker "${this.options.queue}"`));
    this.#worker = worker;
    // Connect in the background: an app whose Redis is not up yet still starts, and works once it is.
    void worker.waitUntilReady().catch(() => undefined);
  }

  async schedule(id: string, schedule: Schedule, data: JobData, options: AddOptions): Promise<void> {
    // One scheduler per id in Redis: every instance upserts the same one, so each tick makes one job.
    const repeat = schedule.kind === 'interval' ? { every: schedule.ms } : { pattern: schedule.pattern };
    await this.#queue.upsertJobScheduler(id, repeat, { name: id, data, opts: this.#jobOptions(options) });
  }

  async pruneSchedules(isStale: (id: string) => boolean): Promise<void> {
    for (const scheduler of await this.#queue.getJobSchedulers(0, -1)) {
      if (isStale(scheduler.key)) await this.#queue.removeJobScheduler(scheduler.key);
    }
  }

  async counts(): Promise<JobCounts> {
    const raw = await this.#queue.getJobCounts(...Object.values(BULL_STATES).flat());
    const counts: JobCounts = { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 };
    for (const [state, names] of Object.entries(BULL_STATES) as [JobState, string[]][]) counts[state] = names.reduce((sum, name) => sum + (raw[name] ?? 0), 0);
    return counts;
  }

  async list(state: JobState, limit: number): Promise<JobInfo[]> {
    const jobs = await this.#queue.getJobs(BULL_STATES[state], 0, limit - 1, state === 'waiting');
    return jobs.filter(Boolean).map((job) => this.#info(job, state));
  }

  async get(id: string): Promise<JobInfo | undefined> {
    const job = await this.#queue.getJob(id);
    if (!job) return undefined;
    return this.#info(job, stateOf(await job.getState()));
  }

  async retry(id: string): Promise<JobInfo> {
    const job = await this.#queue.getJob(id);
    if (!job) throw new StarmodelError('SM_RECORD_NOT_FOUND', { entity: 'job', id });
    const state = stateOf(await job.getState());
    if (state !== 'failed') throw new StarmodelError('SM_EVENT_REFUSED', { message: `Job ${id} is ${state}; only a failed job can be retried.` });
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    const fresh = await this.#queue.getJob(id);
    return this.#info(fresh ?? job, fresh ? stateOf(await fresh.getState()) : 'waiting');
  }

  async close(timeoutMs: number): Promise<void> {
    const worker = this.#worker;
    if (worker) {
      // close() stops fetching at once, then waits for running jobs; past the timeout we stop waiting
      // and those jobs' locks expire, so another worker runs them again.
      const finished = await Promise.race([worker.close().then(() => true, () => true), sleep(timeoutMs).then(() => false)]);
      if (!finished) this.options.onError(new Error(`jobs still running after ${timeoutMs} ms; they will run again once their lock expires`), 'jobs shutdown');
    }
    // With Redis away, close() would wait for a connection that never comes.
    await within(this.#lazyQueue?.close() ?? Promise.resolve(), Math.max(1000, this.options.connectTimeoutMs)).catch(async () => {
      await this.#lazyQueue?.disconnect().catch(() => undefined);
    });
  }

  #info(job: Job<JobData, JsonObject>, state: JobState): JobInfo {
    const progress = job.progress;
    return {
      id: job.id!, state, data: job.data, attempts: job.attemptsStarted,
      maxAttempts: job.opts.attempts ?? 1, queuedAt: job.data.queuedAt || job.timestamp,
      ...(isProgress(progress) ? { progress: { fraction: progress.fraction, ...(typeof progress.message === 'string' ? { message: progress.message } : {}) } } : {}),
      ...(job.failedReason ? { failedReason: job.failedReason } : {}),
      ...(job.finishedOn ? { finishedAt: job.finishedOn } : {}),
    };
  }
}
