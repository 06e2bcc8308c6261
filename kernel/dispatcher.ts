/**
 * @module dispatcher
 * Runs one event: bind and validate its arguments, let `dispatch` taps refuse or take it over,
 * then, one at a time per entity, load the entity, run the method, commit each step (every
 * `yield` and the end) through the `commit` hook, and publish each committed change. A version
 * conflict reloads and runs the event again, a bounded number of times.
 */
import { randomUUID } from 'node:crypto';
import { argumentList, bindArgs, type DispatchInput } from './binding.js';
import type { Change, Command, CommandRecord, DispatchContext, DispatchResult, ElementPatch, UnitOfWork } from './change.js';
import type { Entity } from './entity.js';
import { domId, setVersion, versionOf } from './entity.js';
import { StarmodelError, toStarmodelError } from './errors.js';
import type { KernelHooks } from './hooks.js';
import { Html } from './html.js';
import { identify } from './identity.js';
import type { KeyedLock } from './keyed-lock.js';
import { applyMergePatch, diffMergePatch, type JsonObject } from './merge-patch.js';
import type { EntityMeta, EntityRegistry, EventMeta } from './registry.js';
import { assignState, materialize, signalsOf, stateOf } from './state.js';
import { validateNamed } from './schema.js';
import { isVersionConflict, type Store, type StoredRecord } from './store.js';

/** What the dispatcher needs from the kernel. */
export interface DispatcherDeps {
  readonly hooks: KernelHooks;
  readonly registry: EntityRegistry;
  readonly lock: KeyedLock;
  readonly instanceId: string;
  readonly maxAttempts: number;
  storeFor(meta: EntityMeta): Store;
  reportError(error: unknown, where: string): void;
}

function elementsFrom(value: unknown, eventMeta: EventMeta): ElementPatch[] {
  if (!(value instanceof Html)) return [];
  return [{ html: value.value, ...(eventMeta.options.selector ? { selector: eventMeta.options.selector } : {}), ...(eventMeta.options.mode ? { mode: eventMeta.options.mode } : {}) }];
}

const isEmpty = (patch: JsonObject) => Object.keys(patch).length === 0;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Binds, checks and runs one event. */
export async function dispatchEvent(deps: DispatcherDeps, input: DispatchInput, context: DispatchContext): Promise<DispatchResult> {
  const meta = deps.registry.get(input.entity);
  const eventMeta = meta.events.get(input.event);
  if (!eventMeta) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event: input.event });
  const args = bindArgs(meta, eventMeta, input);
  const record: CommandRecord = {
    entity: meta.name, event: eventMeta.name, id: input.id, args,
    actor: { ...(context.sessionId ? { sessionId: context.sessionId } : {}), ...(context.user ? { userId: context.user.id } : {}) },
    at: Date.now(),
  };
  const command: Command = { ...record, meta, eventMeta };
  // No dispatch taps (the common case): no tapable promise chain to run.
  const takenOver = deps.hooks.dispatch.taps.length === 0 ? undefined : await deps.hooks.dispatch.promise(command, context);
  if (takenOver) return takenOver;
  if (eventMeta.isStatic) return createFromStatic(deps, command, context);
  const id = identify(meta, input.id, context);
  return deps.lock.run(`${meta.name}:${id}`, () => runWithRetry(deps, command, context, id));
}

async function runWithRetry(deps: DispatcherDeps, command: Command, context: DispatchContext, id: string): Promise<DispatchResult> {
  const { meta } = command;
  const store = deps.storeFor(meta);
  for (let attempt = 1; ; attempt++) {
    const stored = await store.get(meta, id);
    if (!stored && meta.scope === 'record') throw new StarmodelError('SM_RECORD_NOT_FOUND', { entity: meta.name, id });
    const run = new EventRun(deps, command, context, materialize(meta, id, stored), stored);
    try {
      return await run.execute();
    } catch (error) {
      if (!isVersionConflict(error)) throw error;
      if (run.committedSteps > 0 || attempt >= deps.maxAttempts) {
        throw new StarmodelError('SM_CONCURRENCY_CONFLICT', { entity: meta.name, id, attempts: attempt }, { cause: error });
      }
      // Exponential backoff with full jitter, so instances racing on one hot entity spread out.
      await pause(Math.floor(Math.random() * Math.min(200, 4 * 2 ** attempt)));
    }
  }
}

async function createFromStatic(deps: DispatcherDeps, command: Command, context: DispatchContext): Promise<DispatchResult> {
  const { meta, eventMeta } = command;
  let value: unknown;
  if (eventMeta.builtIn === 'create') {
    const created = new meta.cls();
    assignState(meta, created, command.args as JsonObject);
    value = created;
  } else {
    const fn = (meta.cls as unknown as Record<string, (...args: unknown[]) => unknown>)[eventMeta.name];
    try {
      value = await fn!.apply(meta.cls, argumentList(eventMeta, command.args));
    } catch (error) {
      throw toStarmodelError(error, 'SM_EVENT_FAILED', { entity: meta.name, event: eventMeta.name });
    }
  }
  if (!(value instanceof meta.cls)) {
    return { type: meta.name, id: '', version: 0, patch: {}, signals: {}, elements: elementsFrom(value, eventMeta), value, command: stripMeta(command) };
  }
  const entity = value;
  if (!entity.id) entity.id = randomUUID();
  return deps.lock.run(`${meta.name}:${entity.id}`, async () => {
    // Diff against nothing, so the creator and every subscriber get the whole new record.
    const run = new EventRun(deps, { ...command, id: entity.id }, context, entity, undefined, {});
    try {
      const result = await run.commitStep([], true);
      return { ...result, value: entity };
    } catch (error) {
      if (isVersionConflict(error)) throw new StarmodelError('SM_STORE_DUPLICATE', { entity: meta.name, field: 'id' }, { cause: error });
      throw error;
    }
  });
}

function stripMeta(command: Command): CommandRecord {
  const { meta: _meta, eventMeta: _eventMeta, ...record } = command;
  return record;
}

/** One attempt at running an event on one loaded entity. */
class EventRun {
  committedSteps = 0;
  #signals: JsonObject;
  #state: JsonObject;
  #stored: StoredRecord | undefined;
  #patch: JsonObject = {};
  readonly #elements: ElementPatch[] = [];
  readonly #record: CommandRecord;
  readonly #isNew: boolean;
  #deleted = false;

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly command: Command,
    private readonly context: DispatchContext,
    private readonly entity: Entity,
    stored: StoredRecord | undefined,
    initialSignals?: JsonObject,
  ) {
    this.#isNew = initialSignals !== undefined;
    this.#stored = stored;
    this.#signals = initialSignals ?? signalsOf(command.meta, entity);
    this.#state = stored ? stored.state : stateOf(command.meta, materialize(command.meta, entity.id, undefined));
    this.#record = stripMeta(command);
  }

  async execute(): Promise<DispatchResult> {
    const { meta, eventMeta } = this.command;
    const method = (this.entity as unknown as Record<string, (...args: unknown[]) => unknown>)[eventMeta.name]!;
    const args = argumentList(eventMeta, this.command.args);
    let value: unknown;
    if (eventMeta.builtIn === 'delete') {
      this.#deleted = true;
      const result = await this.commitStep([], true);
      return { ...result, value: undefined };
    }
    if (eventMeta.builtIn === 'update') {
      assignState(meta, this.entity, this.command.args as JsonObject);
      const result = await this.commitStep([], true);
      return { ...result, value: undefined };
    }
    try {
      if (eventMeta.kind === 'generator' || eventMeta.kind === 'async-generator') {
        const iterator = method.apply(this.entity, args) as AsyncIterator<unknown> | Iterator<unknown>;
        for (;;) {
          const step = await iterator.next();
          if (step.done) {
            value = step.value;
            break;
          }
          await this.commitStep(elementsFrom(step.value, eventMeta), false);
        }
      } else {
        value = await method.apply(this.entity, args);
      }
    } catch (error) {
      if (isVersionConflict(error)) throw error;
      throw toStarmodelError(error, 'SM_EVENT_FAILED', { entity: meta.name, event: eventMeta.name });
    }
    const result = await this.commitStep(elementsFrom(value, eventMeta), true);
    return { ...result, value };
  }

  /** Commits what changed since the last step and publishes it. */
  async commitStep(elements: ElementPatch[], final: boolean): Promise<DispatchResult> {
    const { meta } = this.command;
    const signals = this.#deleted ? {} : signalsOf(meta, this.entity);
    const state = stateOf(meta, this.entity);
    const stateChanges = diffMergePatch(this.#state, state);
    const creating = this.#isNew && this.committedSteps === 0;
    // A new record's patch is its whole state, so every subscriber can show it.
    const patch = this.#deleted ? {} : diffMergePatch(this.#signals, signals);
    let version = versionOf(this.entity);
    let change: Change | undefined;
    // Hidden fields change state without changing signals; a new record is saved even with defaults.
    const mustSave = this.#deleted || creating || !isEmpty(patch) || !isEmpty(stateChanges);
    if (mustSave) {
      if (!this.#deleted) this.#validate(creating ? Object.keys(meta.fields) : Object.keys(stateChanges));
      const unit = this.#unitOfWork(state, patch, version);
      try {
        await this.deps.hooks.commit.promise(unit);
      } catch (error) {
        await this.#rollback(unit);
        // Conflicts go back to the retry loop; anything else reaches the caller with a code and status.
        if (isVersionConflict(error)) throw error;
        throw toStarmodelError(error, 'SM_STORE_FAILED', { store: meta.store });
      }
      version = unit.saved?.version ?? version + 1;
      setVersion(this.entity, version);
      this.#stored = unit.saved;
      this.#signals = signals;
      this.#state = state;
      this.committedSteps++;
    }
    if (mustSave || elements.length > 0) {
      const allElements = elements.length > 0 || !mustSave ? elements : recordView(meta, this.entity, creating ? 'created' : this.#deleted ? 'deleted' : 'updated');
      change = {
        type: meta.name, id: this.entity.id, version, patch, signals, elements: allElements, command: this.#record, origin: this.deps.instanceId,
        ...(this.context.clientId ? { clientId: this.context.clientId } : {}),
        ...(this.#deleted ? { deleted: true } : {}),
      };
      await this.deps.hooks.publish.promise(change).catch((error: unknown) => this.deps.reportError(error, `publish of ${meta.name} ${this.entity.id}`));
      this.#patch = applyMergePatch(this.#patch, patch) as JsonObject;
      this.#elements.push(...allElements);
    }
    await this.context.onStep?.({ change, patch, elements: change?.elements ?? [], version, final });
    return {
      type: meta.name, id: this.entity.id, version, patch: this.#patch, signals: this.#signals, elements: [...this.#elements],
      value: undefined, command: this.#record,
    };
  }

  /** Checks changed fields against their schemas; a bad value refuses the whole step. */
  #validate(names: string[]): void {
    const { meta } = this.command;
    const values = this.entity as unknown as Record<string, unknown>;
    const schemas = Object.fromEntries(names.filter((name) => meta.fields[name]).map((name) => [name, meta.fields[name]!]));
    try {
      // The method set these values itself: check them as they are, without turning text into numbers.
      validateNamed(schemas, Object.fromEntries(names.map((name) => [name, values[name]])), { coerce: false });
    } catch (error) {
      assignState(meta, this.entity, this.#state);
      throw error;
    }
  }

  #unitOfWork(state: JsonObject, patch: JsonObject, expectedVersion: number): UnitOfWork {
    const undo: (() => Promise<void> | void)[] = [];
    return {
      meta: this.command.meta, entity: this.entity, id: this.entity.id, command: this.#record,
      state, patch, expectedVersion, previous: this.#stored, deleted: this.#deleted, saved: undefined,
      onRollback: (fn) => { undo.push(fn); },
      // Kept off the public type: the dispatcher reads it back to undo in reverse order.
      ...{ [kUndo]: undo },
    } as UnitOfWork;
  }

  async #rollback(unit: UnitOfWork): Promise<void> {
    const undo = (unit as unknown as Record<symbol, (() => Promise<void> | void)[]>)[kUndo] ?? [];
    for (const fn of [...undo].reverse()) {
      try {
        await fn();
      } catch (error) {
        this.deps.reportError(error, `rollback of ${unit.meta.name} ${unit.id}`);
      }
    }
    assignState(this.command.meta, this.entity, this.#state);
  }
}

const kUndo = Symbol('undo');

/**
 * What a record entity with a `render()` method shows of a change when its event returned no HTML:
 * a new record is appended to its list, a changed one morphed in place, a deleted one removed.
 */
function recordView(meta: EntityMeta, entity: Entity, kind: 'created' | 'updated' | 'deleted'): ElementPatch[] {
  const render = (entity as unknown as { render?: unknown }).render;
  if (meta.scope !== 'record' || typeof render !== 'function') return [];
  if (kind === 'deleted') return [{ html: '', selector: `#${domId(entity)}`, mode: 'remove' }];
  const view = render.call(entity) as unknown;
  const markup = view instanceof Html ? view.value : typeof view === 'string' ? view : '';
  if (!markup) return [];
  return kind === 'created' ? [{ html: markup, selector: meta.cls.listSelector ?? `#${meta.route}-list`, mode: 'append' }] : [{ html: markup }];
}

/** The commit tap that writes to the entity's store, and registers the undo of that write. */
export function persistTap(storeFor: (meta: EntityMeta) => Store) {
  return async (unit: UnitOfWork): Promise<void> => {
    const store = storeFor(unit.meta);
    const previous = unit.previous;
    if (unit.deleted) {
      await store.delete(unit.meta, unit.id, unit.expectedVersion);
      unit.onRollback(() => store.restore(unit.meta, unit.id, previous, 0));
      return;
    }
    const saved = await store.save(unit.meta, { id: unit.id, state: unit.state, expectedVersion: unit.expectedVersion, ttlSeconds: unit.meta.ttl });
    unit.saved = saved;
    unit.onRollback(() => store.restore(unit.meta, unit.id, previous, saved.version));
  };
}
