/**
 * @module @starmodel/jobs/job-data
 * Turns a validated command into the JSON a queue stores, and checks that the arguments survive
 * the trip: they are validated again when the job runs, in this process or another one.
 */
import { StarmodelError, validateNamed, type EntityMeta, type EventMeta, type JsonObject, type Schema } from 'starmodel';
import type { JobData } from './types.js';

/** Who queued a job: it runs later as the same session and user. */
export interface JobActor {
  readonly sessionId?: string | undefined;
  readonly user?: { readonly id: string; readonly roles?: readonly string[] } | undefined;
}

/** The argument schemas of an event, by name. */
export function schemasOf(eventMeta: EventMeta): Record<string, Schema> {
  return Object.fromEntries(eventMeta.args.map((arg) => [arg.name, arg.schema]));
}

/** Validated arguments as JSON (bigints as strings, dates as ISO strings: both are coerced back). */
export function argsToJson(args: Readonly<Record<string, unknown>>): JsonObject {
  return JSON.parse(JSON.stringify(args, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))) as JsonObject;
}

/**
 * Refuses, at enqueue time, arguments whose stored form would not validate when the job runs
 * (a schema that transforms into something it does not accept): a programming error, better
 * found on the first request than in a worker's failed list.
 */
export function checkStoredArgs(meta: EntityMeta, eventMeta: EventMeta, stored: JsonObject): void {
  try {
    validateNamed(schemasOf(eventMeta), stored);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StarmodelError('SM_ENTITY_INVALID', {
      entity: meta.name,
      reason: `background event "${eventMeta.name}": its validated arguments, stored as JSON, no longer pass its own schemas (${why}). Use argument schemas that accept their own output.`,
    }, { cause: error });
  }
}

/** The job for one event on one entity, queued by `actor`. */
export function jobDataOf(meta: EntityMeta, eventMeta: EventMeta, target: { entityId: string | undefined; recordId: string | undefined }, args: JsonObject, actor: JobActor): JobData {
  return {
    entity: meta.name, event: eventMeta.name, args, queuedAt: Date.now(),
    ...(target.entityId !== undefined ? { entityId: target.entityId } : {}),
    ...(target.recordId !== undefined ? { recordId: target.recordId } : {}),
    ...(actor.sessionId ? { sessionId: actor.sessionId } : {}),
    ...(actor.user ? { user: { id: actor.user.id, ...(actor.user.roles ? { roles: [...actor.user.roles] } : {}) } } : {}),
  };
}
