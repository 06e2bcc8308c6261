/**
 * @module @starmodel/jobs/options
 * The plugin's options, narrowed from the config's untyped values.
 */
import { StarmodelError } from 'starmodel';

/** Options of `@starmodel/jobs` (in starmodel.config.ts: `plugins: { '@starmodel/jobs': { ... } }`). */
export interface JobsOptions {
  /**
   * Redis URL of the BullMQ queue; `false` keeps the in-process queue even when REDIS_URL is set.
   * @default process.env.REDIS_URL, else the in-process queue
   */
  redis: string | undefined;
  /** Queue name (BullMQ) — instances that share it share the work. @default 'starmodel-jobs' */
  queue: string;
  /** Prefix of every Redis key the queue writes. @default 'starmodel' */
  prefix: string;
  /** Jobs run at once by this process. @default 2 */
  concurrency: number;
  /** Attempts per job before it is marked failed (1 = no retry). @default 3 */
  attempts: number;
  /** Wait before the first retry; doubled for each next one (exponential backoff). @default 1000 */
  backoffMs: number;
  /** On shutdown, how long running jobs may take to finish before the process stops anyway. @default 10000 */
  shutdownTimeoutMs: number;
  /** Run jobs in this process; false makes it only queue them (a web-only instance). @default true */
  worker: boolean;
  /** Produce the runs of `@event({ every })` schedules from this process. @default true */
  schedules: boolean;
  /** Finished jobs kept for the service to list, per state (completed, failed). @default 100 and 1000 */
  keepCompleted: number;
  keepFailed: number;
  /** How long startup waits for Redis before failing. @default 10000 */
  connectTimeoutMs: number;
}

/** Turns the config's options into JobsOptions, refusing wrong types with the key named. */
export function parseJobsOptions(raw: Readonly<Record<string, unknown>>): JobsOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/jobs"].${key}`, reason });
  const whole = (key: string, fallback: number, min: number) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw fail(key, `must be a whole number of at least ${min}.`);
    return value;
  };
  const text = (key: string, fallback: string) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'string' || value.length === 0) throw fail(key, 'must be a non-empty string.');
    return value;
  };
  const flag = (key: string, fallback: boolean) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'boolean') throw fail(key, 'must be true or false.');
    return value;
  };
  const redis = raw.redis === undefined ? process.env.REDIS_URL || undefined : raw.redis;
  if (redis !== undefined && redis !== false && (typeof redis !== 'string' || !/^rediss?:\/\//.test(redis))) {
    throw fail('redis', 'must be a redis:// URL, or false for the in-process queue.');
  }
  const queue = text('queue', 'starmodel-jobs');
  if (queue.includes(':')) throw fail('queue', 'cannot contain ":" (BullMQ separates its Redis keys with it).');
  return {
    redis: redis === false ? undefined : redis,
    queue,
    prefix: text('prefix', 'starmodel'),
    concurrency: whole('concurrency', 2, 1),
    attempts: whole('attempts', 3, 1),
    backoffMs: whole('backoffMs', 1000, 0),
    shutdownTimeoutMs: whole('shutdownTimeoutMs', 10_000, 0),
    worker: flag('worker', true),
    schedules: flag('schedules', true),
    keepCompleted: whole('keepCompleted', 100, 0),
    keepFailed: whole('keepFailed', 1000, 0),
    connectTimeoutMs: whole('connectTimeoutMs', 10_000, 1),
  };
}
