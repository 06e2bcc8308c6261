/**
 * @module @starmodel/jobs/memory-queue
 * The embedded default: jobs live in this process's memory, run at most `concurrency` at a time,
 * are retried with exponential backoff, and are LOST when the process exits (waiting, delayed and
 * unfinished jobs alike). Use Redis (BullMQ) for anything that must survive a restart.
 */
import type { JsonObject } from 'starmodel';
import { StarmodelError } from 'starmodel';
import type { Schedule } from './schedule.js';
import { FatalJobError, NotRunJobError, type AddOptions, type JobCounts, type JobData, type JobInfo, type JobProcessor, type JobProgress, type JobQueue, type JobState } from './types.js';

interface MemoryJob {
  readonly id: string;
  readonly data: JobData;
  readonly options: AddOptions;
  state: JobState;
  attempts: number;
  progress?: JobProgress;
  failedReason?: string;
  finishedAt?: number;
  timer?: NodeJS.Timeout;
}

/** Retention of finished jobs, so memory stays bounded however many jobs run. */
export interface MemoryQueueOptions {
  readonly keepCompleted: number;
  readonly keepFailed: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The in-process queue. */
export class MemoryQueue implements JobQueue {
  readonly backend = 'memory' as const;
  readonly #jobs = new Map<string, MemoryJob>();
  readonly #waiting: MemoryJob[] = [];
  readonly #active = new Map<string, Promise<void>>();
  readonly #finished: Record<'completed' | 'failed', string[]> = { completed: [], failed: [] };
  readonly #schedules = new Map<string, () => void>();
  #nextId = 1;
  #processor: JobProcessor | undefined;
  #concurrency = 1;
  #stopping = false;

  constructor(private readonly options: MemoryQueueOptions) {}

  async ready(): Promise<void> {}

  async add(data: JobData, options: AddOptions): Promise<JobInfo> {
    if (this.#stopping) throw new StarmodelError('SM_KERNEL_CLOSED');
    const job: MemoryJob = { id: String(this.#nextId++), data, options, state: 'waiting', attempts: 0 };
    this.#jobs.set(job.id, job);
    this.#waiting.push(job);
    this.#pump();
    return infoOf(job);
  }

  async work(processor: JobProcessor, concurrency: number): Promise<void> {
    this.#processor = processor;
    this.#concurrency = concurrency;
    this.#pump();
  }

  #pump(): void {
    // Deferred, so `add` answers (and the 202 goes out) before the job starts.
    queueMicrotask(() => {
      while (this.#processor && !this.#stopping && this.#active.size < this.#concurrency && this.#waiting.length > 0) this.#start(this.#waiting.shift()!);
    });
  }

  #start(job: MemoryJob): void {
    const processor = this.#processor!;
    job.state = 'active';
    job.attempts++;
    const running = {
      id: job.id, data: job.data, attempt: job.attempts, maxAttempts: job.options.attempts,
      progress: async (progress: JobProgress) => { job.progress = progress; },
    };
    const run = Promise.resolve()
      .then(() => processor(running))
      .then((result) => this.#completed(job, result), (error: unknown) => this.#failed(job, error))
      .finally(() => {
        this.#active.delete(job.id);
        this.#pump();
      });
    this.#active.set(job.id, run);
  }

  #completed(job: MemoryJob, _result: JsonObject): void {
    job.state = 'completed';
    job.finishedAt = Date.now();
    this.#retain(job, 'completed');
  }

  #failed(job: MemoryJob, error: unknown): void {
    if (error instanceof NotRunJobError) {
      // Not run (the app is closing): park it. Putting it straight back would restart it on the next
      // microtask, throw again, and spin forever without ever letting the close that stops us run.
      job.attempts--;
      job.state = 'delayed';
      job.timer = setTimeout(() => {
        job.timer = undefined;
        if (this.#stopping) return;
        job.state = 'waiting';
        this.#waiting.unshift(job);
        this.#pump();
      }, 250);
      job.timer.unref();
      return;
    }
    job.failedReason = error instanceof Error ? error.message : String(error);
    if (error instanceof FatalJobError || job.attempts >= job.options.attempts) {
      job.state = 'failed';
      job.finishedAt = Date.now();
      this.#retain(job, 'failed');
      return;
    }
    job.state = 'delayed';
    job.timer = setTimeout(() => {
      job.timer = undefined;
      if (this.#stopping) return;
      job.state = 'waiting';
      this.#waiting.push(job);
      this.#pump();
    }, job.options.backoffMs * 2 ** (job.attempts - 1));
    job.timer.unref();
  }

  /** Keeps the newest finished jobs of a state and forgets older ones. */
  #retain(job: MemoryJob, state: 'completed' | 'failed'): void {
    const list = this.#finished[state];
    list.push(job.id);
    const keep = state === 'completed' ? this.options.keepCompleted : this.options.keepFailed;
    while (list.length > keep) this.#jobs.delete(list.shift()!);
  }

  async schedule(id: string, schedule: Schedule, data: JobData, options: AddOptions): Promise<void> {
    this.#schedules.get(id)?.();
    // Like BullMQ's job schedulers: a tick whose previous run has not started yet adds nothing.
    const tick = () => {
      if (this.#stopping) return;
      if (this.#waiting.some((job) => job.data.schedule === id)) return;
      void this.add({ ...data, queuedAt: Date.now() }, options);
    };
    if (schedule.kind === 'interval') {
      const timer = setInterval(tick, schedule.ms);
      timer.unref();
      this.#schedules.set(id, () => clearInterval(timer));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const delay = Math.max(0, schedule.next(new Date()).getTime() - Date.now());
      timer = setTimeout(() => {
        tick();
        arm();
      }, delay);
      timer.unref();
    };
    arm();
    this.#schedules.set(id, () => clearTimeout(timer));
  }

  async pruneSchedules(isStale: (id: string) => boolean): Promise<void> {
    for (const [id, stop] of this.#schedules) {
      if (!isStale(id)) continue;
      stop();
      this.#schedules.delete(id);
    }
  }

  async counts(): Promise<JobCounts> {
    const counts: JobCounts = { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 };
    for (const job of this.#jobs.values()) counts[job.state]++;
    return counts;
  }

  async list(state: JobState, limit: number): Promise<JobInfo[]> {
    const jobs = [...this.#jobs.values()].filter((job) => job.state === state);
    // Ids grow with time: waiting jobs oldest first (the order they will run), the rest newest first.
    if (state !== 'waiting') jobs.reverse();
    return jobs.slice(0, limit).map(infoOf);
  }

  async get(id: string): Promise<JobInfo | undefined> {
    const job = this.#jobs.get(id);
    return job ? infoOf(job) : undefined;
  }

  async retry(id: string): Promise<JobInfo> {
    const job = this.#jobs.get(id);
    if (!job) throw new StarmodelError('SM_RECORD_NOT_FOUND', { entity: 'job', id });
    if (job.state !== 'failed') throw new StarmodelError('SM_EVENT_REFUSED', { message: `Job ${id} is ${job.state}; only a failed job can be retried.` });
    const list = this.#finished.failed;
    list.splice(list.indexOf(id), 1);
    job.state = 'waiting';
    job.attempts = 0;
    job.failedReason = undefined;
    job.finishedAt = undefined;
    this.#waiting.push(job);
    this.#pump();
    return infoOf(job);
  }

  async close(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    for (const stop of this.#schedules.values()) stop();
    this.#schedules.clear();
    for (const job of this.#jobs.values()) if (job.timer) clearTimeout(job.timer);
    if (this.#active.size > 0) await Promise.race([Promise.allSettled(this.#active.values()), sleep(timeoutMs)]);
  }
}

function infoOf(job: MemoryJob): JobInfo {
  return {
    id: job.id, state: job.state, data: job.data, attempts: job.attempts, maxAttempts: job.options.attempts, queuedAt: job.data.queuedAt,
    ...(job.progress ? { progress: job.progress } : {}),
    ...(job.failedReason !== undefined ? { failedReason: job.failedReason } : {}),
    ...(job.finishedAt !== undefined ? { finishedAt: job.finishedAt } : {}),
  };
}
