/**
 * @module dispatcher
 * Runs one event: bind and validate its arguments, let `dispatch` taps refuse or take it over,
 * then, one at a time per entity, load the entity, run the method, commit each step (every
 * `yield` and the end) through the `commit` hook, and publish each committed change. A version
 * conflict reloads and runs the event again, a bounded number of times.
 */
import { randomUUID } from 'node:crypto';
import { argumentList, bindArgs, type DispatchInput } from './binding.js';
import { announceStep, commitChannel, publishChannel, traced } from './channels.js';
import { runAfterCommit } from './after-commit.js';
import type { Change, Command, CommandRecord, DispatchContext, DispatchResult, ElementPatch, Step, StepSink, UnitOfWork } from './change.js';
import type { Entity } from './entity.js';
import { domId, setVersion, versionOf } from './entity.js';
import { StarmodelError, toStarmodelError } from './errors.js';
import { takeFeedback, type FeedbackItem } from './feedback.js';
import { fieldPlan } from './field-plan.js';
import { callBail, callParallel, callSeries, isThenable, type KernelHooks } from './hooks.js';
import { Html } from './html.js';
import { identify } from './identity.js';
import type { KeyedLock } from './keyed-lock.js';
import { applyMergePatch, diffMergePatch, isEmptyObject, type JsonObject } from './merge-patch.js';
import type { EntityMeta, EntityRegistry, EventMeta } from './registry.js';
import { assignState, materialize, signalsOf, stateOf } from './state.js';
import { commandRecord } from './redact.js';
import { quickCheck, validateNamed } from './schema.js';
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

/** Scratch slot for quickCheck's parsed value (unused here: only the verdict matters). */
const checked = { value: undefined as unknown };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Binds, checks and runs one event. Never throws: every failure is a rejection. `known` is the
 * entity's metadata when the caller already looked it up.
 */
export function dispatchEvent(deps: DispatcherDeps, input: DispatchInput, context: DispatchContext, known?: EntityMeta, sink?: StepSink): Promise<DispatchResult> {
  try {
    const meta = known ?? deps.registry.get(input.entity);
    const eventMeta = meta.events.get(input.event);
    if (!eventMeta) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event: input.event });
    const args = bindArgs(meta, eventMeta, input);
    const actor: { sessionId?: string; userId?: string } = {};
    if (context.sessionId) actor.sessionId = context.sessionId;
    if (context.user) actor.userId = context.user.id;
    const command: Command = { entity: meta.name, event: eventMeta.name, id: input.id, args, actor, at: Date.now(), meta, eventMeta };
    // No dispatch taps (the common case): nothing can take the command over or change it.
    if (deps.hooks.dispatch.taps.length > 0) return dispatchWithTaps(deps, input, command, context, sink);
    return runCommand(deps, input, command, context, commandRecord(command), sink);
  } catch (error) {
    return Promise.reject(error);
  }
}

async function dispatchWithTaps(deps: DispatcherDeps, input: DispatchInput, command: Command, context: DispatchContext, sink: StepSink | undefined): Promise<DispatchResult> {
  const takenOver = await callBail(deps.hooks.dispatch, command, context);
  if (takenOver) return takenOver;
  // A tap may have enriched the command: each run records it as it is now.
  return runCommand(deps, input, command, context, undefined, sink);
}

/** Runs a command no tap took over, one at a time per entity. */
function runCommand(deps: DispatcherDeps, input: DispatchInput, command: Command, context: DispatchContext, record: CommandRecord | undefined, sink: StepSink | undefined): Promise<DispatchResult> {
  if (command.eventMeta.isStatic) return createFromStatic(deps, command, context, sink);
  const { meta } = command;
  const id = identify(meta, input.id, context);
  return deps.lock.run(meta.name, id, () => runWithRetry(deps, command, context, id, record, sink));
}

async function runWithRetry(deps: DispatcherDeps, command: Command, context: DispatchContext, id: string, record: CommandRecord | undefined, sink: StepSink | undefined): Promise<DispatchResult> {
  const { meta } = command;
  const store = deps.storeFor(meta);
  for (let attempt = 1; ; attempt++) {
    const stored = await store.get(meta, id);
    if (!stored && meta.scope === 'record') throw new StarmodelError('SM_RECORD_NOT_FOUND', { entity: meta.name, id });
    const run = new EventRun(deps, command, context, materialize(meta, id, stored), stored, sink, undefined, record);
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

async function createFromStatic(deps: DispatcherDeps, command: Command, context: DispatchContext, sink: StepSink | undefined): Promise<DispatchResult> {
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
  return deps.lock.run(meta.name, entity.id, async () => {
    // Diff against nothing, so the creator and every subscriber get the whole new record.
    const run = new EventRun(deps, { ...command, id: entity.id }, context, entity, undefined, sink, {});
    try {
      return await run.commitStep([], true, entity);
    } catch (error) {
      if (isVersionConflict(error)) throw new StarmodelError('SM_STORE_DUPLICATE', { entity: meta.name, field: 'id' }, { cause: error });
      throw error;
    }
  });
}

/** The record of a command that commit and publish taps and the caller see: secrets redacted. */
function stripMeta(command: Command): CommandRecord {
  return commandRecord(command);
}

/** One attempt at running an event on one loaded entity. */
class EventRun {
  committedSteps = 0;
  #signals: JsonObject;
  #state: JsonObject;
  #stored: StoredRecord | undefined;
  #patch: JsonObject = {};
  readonly #elements: ElementPatch[] = [];
  #feedback: FeedbackItem[] | undefined;
  readonly #record: CommandRecord;
  readonly #isNew: boolean;
  #deleted = false;

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly command: Command,
    private readonly context: DispatchContext,
    private readonly entity: Entity,
    stored: StoredRecord | undefined,
    private readonly sink: StepSink | undefined,
    initialSignals?: JsonObject,
    record?: CommandRecord,
  ) {
    this.#isNew = initialSignals !== undefined;
    this.#stored = stored;
    this.#signals = initialSignals ?? signalsOf(command.meta, entity);
    this.#state = stored ? stored.state : stateOf(command.meta, materialize(command.meta, entity.id, undefined));
    // The record the dispatcher built with the command, when no tap could have changed the command.
    this.#record = record ?? stripMeta(command);
  }

  /**
   * Runs the method and commits the result. Not async: for a sync method the commit's promise is
   * the only one. Its caller treats a throw like a rejection.
   */
  execute(): Promise<DispatchResult> {
    const { meta, eventMeta } = this.command;
    const method = (this.entity as unknown as Record<string, (...args: unknown[]) => unknown>)[eventMeta.name]!;
    const args = argumentList(eventMeta, this.command.args);
    if (eventMeta.builtIn === 'delete') {
      this.#deleted = true;
      return this.commitStep([], true);
    }
    if (eventMeta.builtIn === 'update') {
      assignState(meta, this.entity, this.command.args as JsonObject);
      return this.commitStep([], true);
    }
    if (eventMeta.kind === 'generator' || eventMeta.kind === 'async-generator') return this.#runSteps(method, args);
    let value: unknown;
    try {
      value = method.apply(this.entity, args);
    } catch (error) {
      throw this.#failure(error);
    }
    // A sync method's value needs no await (an await costs a turn of the microtask queue).
    if (isThenable(value)) return this.#commitAwaited(value);
    return this.commitStep(elementsFrom(value, eventMeta), true, value);
  }

  /** An async method: waits for its value, then commits. */
  async #commitAwaited(pending: PromiseLike<unknown>): Promise<DispatchResult> {
    let value: unknown;
    try {
      value = await pending;
    } catch (error) {
      throw this.#failure(error);
    }
    return await this.commitStep(elementsFrom(value, this.command.eventMeta), true, value);
  }

  /** A generator method: commits at every `yield`, then at the end. */
  async #runSteps(method: (...args: unknown[]) => unknown, args: unknown[]): Promise<DispatchResult> {
    const { eventMeta } = this.command;
    let value: unknown;
    try {
      const iterator = method.apply(this.entity, args) as AsyncIterator<unknown> | Iterator<unknown>;
      for (;;) {
        const next = iterator.next();
        const step = isThenable(next) ? await next : next;
        if (step.done) {
          value = step.value;
          break;
        }
        await this.commitStep(elementsFrom(step.value, eventMeta), false);
      }
    } catch (error) {
      throw this.#failure(error);
    }
    return await this.commitStep(elementsFrom(value, eventMeta), true, value);
  }

  /** What a failure of the method becomes: conflicts stay (the retry loop wants them), the rest get a code. */
  #failure(error: unknown): unknown {
    if (isVersionConflict(error)) return error;
    return toStarmodelError(error, 'SM_EVENT_FAILED', { entity: this.command.meta.name, event: this.command.eventMeta.name });
  }

  /** Commits what changed since the last step and publishes it; the result carries `value`. */
  async commitStep(elements: ElementPatch[], final: boolean, value?: unknown): Promise<DispatchResult> {
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
    const mustSave = this.#deleted || creating || !isEmptyObject(patch) || !isEmptyObject(stateChanges);
    if (mustSave) {
      if (!this.#deleted) this.#validate(creating ? fieldPlan(meta).names : Object.keys(stateChanges));
      const unit = this.#unitOfWork(state, patch, version);
      try {
        // Undefined when every commit tap finished synchronously.
        const committing = traced(commitChannel, { kernel: this.deps.instanceId, unit }, () => callSeries(this.deps.hooks.commit, unit));
        if (committing) await committing;
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
      const published: { -readonly [K in keyof Change]: Change[K] } = {
        type: meta.name, id: this.entity.id, version, patch, signals, elements: allElements, command: this.#record, origin: this.deps.instanceId, final,
      };
      if (this.#deleted) published.deleted = true;
      change = published;
      let publishing: Promise<void> | undefined;
      try {
        // Undefined when every publish tap finished synchronously (the bus delivers synchronously).
        const published = change;
        publishing = traced(publishChannel, { change: published }, () => callParallel(this.deps.hooks.publish, published)) as Promise<void> | undefined;
      } catch (error) {
        publishing = Promise.reject(error);
      }
      if (publishing) await publishing.catch((error: unknown) => this.deps.reportError(error, `publish of ${meta.name} ${this.entity.id}`));
      this.#patch = applyMergePatch(this.#patch, patch) as JsonObject;
      if (allElements.length > 0) this.#elements.push(...allElements);
    }
    announceStep(this.context, change, final);
    // Only a committed step's feedback reaches the browser: a failed event tells it nothing but the failure.
    const feedback = takeFeedback(this.entity);
    if (feedback.length > 0) (this.#feedback ??= []).push(...feedback);
    if (this.sink) this.#deliver({ change, final, feedback });
    const waiting = runAfterCommit(this.context);
    if (waiting) await waiting;
    const result: { -readonly [K in keyof DispatchResult]: DispatchResult[K] } = {
      type: meta.name, id: this.entity.id, version, patch: this.#patch, signals: this.#signals, elements: [...this.#elements],
      value, command: this.#record,
    };
    if (this.#feedback) result.feedback = this.#feedback;
    return result;
  }

  /** Hands a step to the caller's sink: synchronously, never awaited, a throw reported. */
  #deliver(step: Step): void {
    try {
      this.sink!(step);
    } catch (error) {
      this.deps.reportError(error, `the step sink of ${this.command.entity}.${this.command.event}`);
    }
  }

  /** Checks changed fields against their schemas; a bad value refuses the whole step. */
  #validate(names: readonly string[]): void {
    const { meta } = this.command;
    const values = this.entity as unknown as Record<string, unknown>;
    // Plain number/text/boolean fields holding such values need no zod; anything else, zod decides.
    for (const name of names) {
      const schema = meta.fields[name];
      if (schema && !quickCheck(schema, values[name], false, checked)) return this.#validateWithZod(names);
    }
  }

  #validateWithZod(names: readonly string[]): void {
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
    const unit = {
      meta: this.command.meta, entity: this.entity, id: this.entity.id, command: this.#record,
      state, patch, expectedVersion, previous: this.#stored, deleted: this.#deleted, saved: undefined,
      onRollback(fn: () => Promise<void> | void) {
        undo.push(fn);
      },
      // Kept off the public type: the dispatcher reads it back to undo in reverse order.
      [kUndo]: undo,
    };
    return unit as UnitOfWork;
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
