/**
 * @module @starmodel/jobs/take-over
 * The `dispatch` tap (stage STAGE_TAKE_OVER): an event declared `@event({ background: true })` is
 * queued instead of run, and the caller gets a 202 with the job id. Its arguments were validated
 * before this tap runs, so a bad request is refused (400) and nothing is queued. A worker's own
 * dispatch carries a `locals` marker and passes through, to run the event for real.
 */
import { commandRecord, type Command, type DispatchContext, type DispatchResult } from 'starmodel';
import { attachRuntime } from './helpers.js';
import { isWorkerLocal, type JobsRuntime } from './runtime.js';
import { JOBS_PLUGIN } from './types.js';

/** The tap function for `api.hooks.dispatch`. */
export function takeOverTap(runtime: JobsRuntime) {
  return async (command: Command, context: DispatchContext): Promise<DispatchResult | undefined> => {
    attachRuntime(context, runtime);
    if (!command.eventMeta.options.background || isWorkerLocal(context.locals.get(JOBS_PLUGIN))) return undefined;
    const job = await runtime.enqueue(command.meta, command.eventMeta, command.id, command.args, context);
    // The caller gets the record of the command (secrets redacted), as for an event that ran.
    const record = commandRecord(command);
    // Nothing ran yet: no version, patch or signals to report; the change arrives on live streams later.
    return {
      type: command.entity, id: job.data.entityId ?? '', version: 0, patch: {}, signals: {}, elements: [], value: undefined, command: record,
      takenOver: { by: JOBS_PLUGIN, status: 202, info: { jobId: job.id, state: 'queued' } },
    };
  };
}
