/**
 * @module @starmodel/jobs
 * Background jobs for StarModel: `@event({ background: true })` queues the event and answers 202
 * at once; a worker runs it later through the normal dispatch path (validated, committed,
 * published to every subscriber). `@event({ every: '5m' })` runs an event on a schedule. The
 * queue is in-process by default (lost on exit) and BullMQ on Redis when `REDIS_URL` or the
 * `redis` option is set (durable, retried, shared by every instance).
 *
 * ```ts
 * // starmodel.config.ts
 * export default defineConfig({ plugins: { '@starmodel/jobs': { concurrency: 4, attempts: 5 } } });
 * ```
 */
import { STAGE_TAKE_OVER, useDispatchContext, type StarmodelPlugin } from 'starmodel';
import { BullmqQueue } from './bullmq-queue.js';
import { MemoryQueue } from './memory-queue.js';
import { parseJobsOptions } from './options.js';
import { JobsRuntime } from './runtime.js';
import { ScheduleRegistry, startOne } from './schedules.js';
import { jobsService } from './service.js';
import { takeOverTap } from './take-over.js';
import type { JobQueue } from './types.js';

export { currentJob, later, laterOn, reportProgress } from './helpers.js';
export type { CurrentJob } from './helpers.js';
export type { JobsOptions } from './options.js';
export { isWorkerLocal } from './runtime.js';
export type { WorkerLocal } from './runtime.js';
export { parseSchedule } from './schedule.js';
export type { Schedule } from './schedule.js';
export { JOBS_PLUGIN, JOB_STATES } from './types.js';
export type { JobCounts, JobData, JobInfo, JobProgress, JobState, JobsService } from './types.js';

/** Creates the jobs plugin from its config options. */
export default function jobsPlugin(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const parsed = parseJobsOptions(options);
  return {
    setup(api) {
      // Its stores and helpers read the dispatch context (currentDispatch).
      useDispatchContext();
      // During an outage the client retries every second: log each distinct problem once a minute.
      const lastLogged = new Map<string, number>();
      const onError = (error: unknown, where: string) => {
        const line = `${where}: ${error instanceof Error ? error.message : String(error)}`;
        const now = Date.now();
        if (now - (lastLogged.get(line) ?? 0) < 60_000) return;
        lastLogged.set(line, now);
        api.log.error(line);
      };
      const queue: JobQueue = parsed.redis
        ? new BullmqQueue({ url: parsed.redis, queue: parsed.queue, prefix: parsed.prefix, keepCompleted: parsed.keepCompleted, keepFailed: parsed.keepFailed, connectTimeoutMs: parsed.connectTimeoutMs, onError })
        : new MemoryQueue({ keepCompleted: parsed.keepCompleted, keepFailed: parsed.keepFailed });
      const runtime = new JobsRuntime(api, queue, parsed);
      const schedules = new ScheduleRegistry();
      let running = false;

      api.hooks.entity.tap((meta) => {
        const found = schedules.inspect(meta);
        // An entity registered after start gets its schedule at once.
        if (running && parsed.schedules) for (const declared of found) startOne(queue, declared, runtime.addOptions).catch((error: unknown) => onError(error, `schedule ${declared.id}`));
      });
      api.hooks.dispatch.tap(takeOverTap(runtime), { stage: STAGE_TAKE_OVER });
      api.hooks.setup.tap(async () => {
        // Not awaited: an app must start even when Redis comes up after it (queueing answers 503 meanwhile).
        void queue.ready();
        if (queue.backend === 'memory' && !parsed.worker) api.log.warn('worker: false with the in-process queue: queued jobs never run. Set REDIS_URL so another process can run them.');
      });
      api.hooks.ready.tap(async () => {
        if (parsed.worker) await queue.work(runtime.processor, parsed.concurrency);
        if (parsed.schedules) void schedules.start(queue, runtime.addOptions, new Set(api.kernel.registry.all().map((meta) => meta.name))).catch((error: unknown) => onError(error, 'schedules (they start when the queue answers; restart to retry)'));
        running = true;
        const where = queue.backend === 'bullmq' ? `BullMQ queue "${parsed.queue}"` : 'the in-process queue (jobs are lost on exit; set REDIS_URL to keep them)';
        api.log.info(`jobs on ${where}${parsed.worker ? `, ${parsed.concurrency} at a time` : ', not running them here'}; ${schedules.all().length} schedule(s)`);
      });
      api.hooks.close.tap(async () => {
        running = false;
        await queue.close(parsed.shutdownTimeoutMs);
      });
      api.provide('jobs', jobsService(runtime, schedules));
    },
  };
}
