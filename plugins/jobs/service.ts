/**
 * @module @starmodel/jobs/service
 * The `jobs` service (`api.kernel.service('jobs')`): counts and lists by state, one job, retry of
 * a failed job, and queueing from server code. What an admin page shows. Every job it hands out is
 * a record: secret arguments and the session id read `[redacted]` (the kernel's redaction); the
 * queue itself keeps the real values, which the worker needs to run the event.
 */
import { REDACTED, redactArgs, StarmodelError, validateNamed, type EntityRegistry } from 'starmodel';
import { schemasOf } from './job-data.js';
import type { JobsRuntime } from './runtime.js';
import type { ScheduleRegistry } from './schedules.js';
import { JOB_STATES, type JobData, type JobInfo, type JobsService } from './types.js';

const MAX_LIST = 1000;

/** A job as records show it: the event's secret arguments and the session id redacted. */
export function redactJob(registry: EntityRegistry, info: JobInfo): JobInfo {
  const meta = registry.find(info.data.entity);
  const args = redactArgs(meta, meta?.events.get(info.data.event), info.data.args);
  if (args === info.data.args && info.data.sessionId === undefined) return info;
  const data: JobData = { ...info.data, args, ...(info.data.sessionId !== undefined ? { sessionId: REDACTED } : {}) };
  return { ...info, data };
}

/** Builds the service over one kernel's runtime. */
export function jobsService(runtime: JobsRuntime, schedules: ScheduleRegistry): JobsService {
  const { queue } = runtime;
  const { registry } = runtime.api.kernel;
  const shown = (info: JobInfo) => redactJob(registry, info);
  return {
    backend: queue.backend,
    counts: () => queue.counts(),
    list: (state, options = {}) => {
      if (!JOB_STATES.includes(state)) {
        throw new StarmodelError('SM_VALIDATION_FAILED', { summary: `state: not one of ${JOB_STATES.join(', ')}` }, { fields: { state: `Use one of ${JOB_STATES.join(', ')}` } });
      }
      const limit = options.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
        throw new StarmodelError('SM_VALIDATION_FAILED', { summary: `limit: a whole number from 1 to ${MAX_LIST}` }, { fields: { limit: `Expected a whole number from 1 to ${MAX_LIST}` } });
      }
      return queue.list(state, limit).then((jobs) => jobs.map(shown));
    },
    get: async (id) => {
      const info = await queue.get(id);
      return info && shown(info);
    },
    retry: (id) => queue.retry(id).then(shown),
    enqueue: async (input, actor = {}) => {
      const meta = runtime.api.kernel.registry.get(input.entity);
      const eventMeta = meta.events.get(input.event);
      if (!eventMeta) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event: input.event });
      const args = validateNamed(schemasOf(eventMeta), { ...input.args });
      return shown(await runtime.enqueue(meta, eventMeta, input.id, args, actor));
    },
    schedules: () => schedules.all().map((declared) => ({ id: declared.id, entity: declared.meta.name, event: declared.eventMeta.name, every: declared.schedule.text })),
  };
}
