/**
 * @module @starmodel/jobs/schedules
 * `@event({ every: '5m' })`: checked when the entity is registered (a bad schedule stops the app
 * at startup with the reason), then handed to the queue when the app is ready. A scheduled run
 * has no session, user or record, so only events that need none can have a schedule.
 */
import { StarmodelError, type EntityMeta, type EventMeta } from 'starmodel';
import { parseSchedule, type Schedule } from './schedule.js';
import type { AddOptions, JobQueue } from './types.js';

/** One declared schedule. */
export interface DeclaredSchedule {
  /** `Entity.event`: the same in every instance, so BullMQ keeps one scheduler for all of them. */
  readonly id: string;
  readonly meta: EntityMeta;
  readonly eventMeta: EventMeta;
  readonly schedule: Schedule;
}

/** The schedules of one kernel's entities. */
export class ScheduleRegistry {
  readonly #declared = new Map<string, DeclaredSchedule>();

  /** Reads the `every` options of an entity's events; throws SM_ENTITY_INVALID with the reason. */
  inspect(meta: EntityMeta): DeclaredSchedule[] {
    const found: DeclaredSchedule[] = [];
    for (const eventMeta of meta.events.values()) {
      const every = eventMeta.options.every;
      if (every === undefined) continue;
      const invalid = (reason: string) => new StarmodelError('SM_ENTITY_INVALID', { entity: meta.name, reason: `event "${eventMeta.name}" has every: ${JSON.stringify(every)}, but ${reason}` });
      if (typeof every !== 'string') throw invalid('every must be a string such as "5m" or "*/5 * * * *".');
      let schedule: Schedule;
      try {
        schedule = parseSchedule(every);
      } catch (error) {
        throw invalid(error instanceof Error ? error.message : String(error));
      }
      if (!eventMeta.isStatic && meta.scope !== 'global' && !meta.cls.identify) {
        throw invalid(`"${meta.name}" is ${meta.scope}-scoped. A scheduled run has no session, user or record: use a global entity, a static event, or a static identify().`);
      }
      const required = eventMeta.args.filter((arg) => !arg.optional).map((arg) => arg.name);
      if (required.length > 0) throw invalid(`a scheduled run passes no arguments, and ${required.join(', ')} ${required.length > 1 ? 'have' : 'has'} no default.`);
      const declared = { id: `${meta.name}.${eventMeta.name}`, meta, eventMeta, schedule };
      this.#declared.set(declared.id, declared);
      found.push(declared);
    }
    return found;
  }

  /** Every declared schedule. */
  all(): DeclaredSchedule[] {
    return [...this.#declared.values()];
  }

  /**
   * Hands every schedule to the queue, and removes the queue's schedules of this app's entities
   * whose event no longer declares one. `knownEntities` are the entity names registered here.
   */
  async start(queue: JobQueue, options: AddOptions, knownEntities: ReadonlySet<string>): Promise<void> {
    for (const declared of this.#declared.values()) await startOne(queue, declared, options);
    await queue.pruneSchedules((id) => !this.#declared.has(id) && knownEntities.has(id.slice(0, id.lastIndexOf('.'))));
  }
}

/** Hands one schedule to the queue. */
export function startOne(queue: JobQueue, declared: DeclaredSchedule, options: AddOptions): Promise<void> {
  return queue.schedule(declared.id, declared.schedule, { entity: declared.meta.name, event: declared.eventMeta.name, args: {}, queuedAt: 0, schedule: declared.id }, options);
}
