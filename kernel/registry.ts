/**
 * @module registry
 * Turns an entity class into the metadata everything else uses: fields with their schemas,
 * computed getters, events with their argument schemas, scope, store and route.
 */
import { z } from 'zod';
import { Entity, metaOf, kEvents, kFields, type DeclaredEvent, type DeclaredField, type EntityClass, type EventMethod, type EventOptions, type Scope } from './entity.js';
import { StarmodelError } from './errors.js';
import { readParams, readParamsFromSource } from './params.js';
import { inferSchema, type Schema } from './schema.js';

/** How an event method runs. */
export type EventKind = 'sync' | 'async' | 'generator' | 'async-generator';

/** One argument of an event. */
export interface ArgMeta {
  readonly name: string;
  readonly schema: Schema;
  readonly optional: boolean;
}

/** Everything the kernel knows about one event. */
export interface EventMeta {
  readonly name: string;
  readonly method: EventMethod;
  /** Route path, e.g. `/counter/increment`; records put `/:id` after the entity segment. */
  readonly path: string;
  readonly kind: EventKind;
  readonly args: readonly ArgMeta[];
  /** True for `static` events, which run on the class (e.g. a record's `create`). */
  readonly isStatic: boolean;
  readonly options: EventOptions;
  /** Set for the events every record entity gets unless it defines its own: `create` and `delete`. */
  readonly builtIn?: 'create' | 'delete' | 'update';
}

/** Everything the kernel knows about one entity class. */
export interface EntityMeta {
  readonly cls: EntityClass;
  /** The class name: the entity's type. */
  readonly name: string;
  /** The route segment (class name lower-cased unless `static route` says otherwise). */
  readonly route: string;
  /** The signal namespace (`$Counter.count`). */
  readonly namespace: string;
  readonly scope: Scope;
  readonly store: string;
  readonly ttl: number | undefined;
  /** Field schemas by name (state fields only: no id, no computed). */
  readonly fields: Readonly<Record<string, Schema>>;
  /** Field names never sent to the browser. */
  readonly hidden: ReadonlySet<string>;
  /** Getter names: computed fields, sent as signals, never accepted from a client. */
  readonly computed: readonly string[];
  /** Initial state of a new instance. */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly events: ReadonlyMap<string, EventMeta>;
  /** zod object over all fields, for whole-record validation (create forms, admin). */
  readonly schema: z.ZodObject;
}

const SIMPLE: Record<string, () => Schema> = { string: () => z.string(), number: () => z.number(), boolean: () => z.boolean(), Date: () => z.date(), unknown: () => z.unknown() };

/**
 * A schema for the TypeScript annotations we can read without a compiler: simple types, arrays of
 * them, unions of string literals, and `| undefined` / `| null`. Anything else returns undefined.
 */
export function schemaFromAnnotation(annotation: string): Schema | undefined {
  const parts = annotation.split('|').map((part) => part.trim()).filter(Boolean);
  const optional = parts.includes('undefined');
  const nullable = parts.includes('null');
  const rest = parts.filter((part) => part !== 'undefined' && part !== 'null');
  let schema: Schema | undefined;
  if (rest.length > 0 && rest.every((part) => /^(['"])[^'"]*\1$/.test(part))) {
    schema = z.enum(rest.map((part) => part.slice(1, -1)) as [string, ...string[]]);
  } else if (rest.length === 1) {
    const single = rest[0]!;
    const array = /^(?:Array<(\w+)>|(\w+)\[\])$/.exec(single);
    const element = array ? SIMPLE[array[1] ?? array[2] ?? ''] : undefined;
    schema = array ? (element ? z.array(element()) : undefined) : SIMPLE[single]?.();
  }
  if (!schema) return undefined;
  if (nullable) schema = schema.nullable();
  return optional ? schema.optional() : schema;
}

const RESERVED = new Set(['id', 'constructor']);

function kindOf(fn: unknown): EventKind {
  const name = (fn as { constructor?: { name?: string } }).constructor?.name;
  if (name === 'AsyncGeneratorFunction') return 'async-generator';
  if (name === 'GeneratorFunction') return 'generator';
  if (name === 'AsyncFunction') return 'async';
  return 'sync';
}

function computedOf(cls: EntityClass): string[] {
  const names: string[] = [];
  for (let proto: object | null = cls.prototype; proto && proto !== Entity.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (descriptor.get && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

function argsOf(entityName: string, fn: (...args: never[]) => unknown, declared: DeclaredEvent): ArgMeta[] {
  const given = declared.options.args ?? {};
  const compiled = readParams(fn);
  const original = declared.location ? readParamsFromSource(declared.location, declared.name) : undefined;
  // Trust the source only when it agrees with the compiled function on the number of parameters.
  const params = original && original.length === compiled.length ? original : compiled;
  const args: ArgMeta[] = [];
  for (const param of params) {
    if (!param.name) {
      if (Object.keys(given).length > 0) continue;
      throw new StarmodelError('SM_ENTITY_INVALID', { entity: entityName, reason: `event "${declared.name}" has a destructured parameter; name its arguments with @event({ args: { ... } }).` });
    }
    const explicit = given[param.name];
    if (explicit) {
      args.push({ name: param.name, schema: explicit, optional: explicit.safeParse(undefined).success });
      continue;
    }
    const fromType = param.annotation ? schemaFromAnnotation(param.annotation) : undefined;
    const fromDefault = param.defaultValue !== undefined ? inferSchema(param.defaultValue) : undefined;
    const untyped = !param.annotation && !param.opaqueDefault && param.defaultValue === undefined;
    if (!fromType && !fromDefault && !untyped) {
      const written = param.annotation ? `type "${param.annotation}"` : `default "${param.defaultText ?? '?'}"`;
      throw new StarmodelError('SM_ENTITY_INVALID', {
        entity: entityName,
        reason: `the type of argument "${param.name}" of event "${declared.name}" cannot be read from its ${written}. Give it a simple type annotation (string, number, boolean, Date, a union of string literals, or an array of those) or declare it: @event({ args: { ${param.name}: z.number() } }).`,
      });
    }
    // A parameter with neither type nor default (plain JavaScript) accepts any JSON value.
    const inferred = fromType ?? fromDefault ?? z.unknown();
    args.push({ name: param.name, schema: param.optional ? inferred.optional() : inferred, optional: param.optional });
  }
  for (const [name, schema] of Object.entries(given)) {
    if (!args.some((arg) => arg.name === name)) args.push({ name, schema, optional: schema.safeParse(undefined).success });
  }
  return args;
}

/**
 * Record entities get `POST /<entity>/create` (every field an optional argument; the result is
 * validated against the field schemas), `DELETE /<entity>/<id>/delete`, and an internal `update`
 * (not routed: for server code such as the admin), unless they define events of those names.
 */
function addRecordEvents(route: string, fields: Record<string, Schema>, events: Map<string, EventMeta>): void {
  if (!events.has('create')) {
    events.set('create', {
      name: 'create', method: 'post', path: `/${route}/create`, kind: 'sync', isStatic: true, options: {}, builtIn: 'create',
      args: Object.entries(fields).map(([name, schema]) => ({ name, schema: schema.optional(), optional: true })),
    });
  }
  if (!events.has('update')) {
    // For trusted server code (the admin): every field optional, validated like create. Not routed.
    events.set('update', {
      name: 'update', method: 'post', path: `/${route}/:id/update`, kind: 'sync', isStatic: false, options: { internal: true }, builtIn: 'update',
      args: Object.entries(fields).map(([name, schema]) => ({ name, schema: schema.optional(), optional: true })),
    });
  }
  if (!events.has('delete')) {
    events.set('delete', { name: 'delete', method: 'delete', path: `/${route}/:id/delete`, kind: 'sync', isStatic: false, options: {}, builtIn: 'delete', args: [] });
  }
}

/** Builds (and checks) the metadata of an entity class. Throws SM_ENTITY_INVALID with the reason. */
export function describeEntity(cls: EntityClass): EntityMeta {
  const name = cls.name;
  if (!(cls.prototype instanceof Entity)) throw new StarmodelError('SM_ENTITY_INVALID', { entity: name || '(anonymous)', reason: 'it does not extend Entity.' });
  let sample: Entity;
  try {
    sample = new cls();
  } catch (error) {
    throw new StarmodelError('SM_ENTITY_INVALID', { entity: name, reason: `it cannot be constructed with no arguments (${error instanceof Error ? error.message : String(error)}).` });
  }
  const metadata = ((cls as unknown as Record<symbol, unknown>)[Symbol.metadata as symbol] ?? {}) as Record<symbol, unknown>;
  const declaredFields = (metadata[kFields] as DeclaredField[] | undefined) ?? [];
  const declaredEvents = (metadata[kEvents] as DeclaredEvent[] | undefined) ?? [];

  const fields: Record<string, Schema> = {};
  const defaults: Record<string, unknown> = {};
  const hidden = new Set<string>();
  for (const [key, value] of Object.entries(sample)) {
    if (RESERVED.has(key) || typeof value === 'function') continue;
    const refined = declaredFields.find((item) => item.name === key);
    fields[key] = refined?.schema ?? inferSchema(value);
    defaults[key] = value;
    if (refined?.options.hidden) hidden.add(key);
  }
  for (const declared of declaredFields) {
    if (!(declared.name in fields)) throw new StarmodelError('SM_ENTITY_INVALID', { entity: name, reason: `@field() on "${declared.name}" needs an initializer (e.g. \`${declared.name} = ''\`).` });
  }

  const route = cls.route ?? name.toLowerCase();
  const scope = cls.scope;
  const events = new Map<string, EventMeta>();
  for (const declared of declaredEvents) {
    const owner: unknown = declared.isStatic ? cls : cls.prototype;
    const fn = (owner as Record<string, unknown>)[declared.name];
    if (typeof fn !== 'function') continue;
    const base = scope === 'record' && !declared.isStatic ? `/${route}/:id` : `/${route}`;
    events.set(declared.name, {
      name: declared.name,
      method: declared.options.method ?? 'get',
      path: declared.options.path ?? `${base}/${declared.name}`,
      kind: kindOf(fn),
      args: argsOf(name, fn as (...args: never[]) => unknown, declared),
      isStatic: declared.isStatic,
      options: declared.options,
    });
  }
  if (scope === 'record') addRecordEvents(route, fields, events);
  if (!['session', 'global', 'user', 'record'].includes(scope) && !cls.identify) {
    throw new StarmodelError('SM_ENTITY_INVALID', { entity: name, reason: `scope "${String(scope)}" is not one of session, global, user, record (or give a static identify()).` });
  }
  return {
    cls, name, route, namespace: cls.namespace ?? name, scope, store: cls.store, ttl: cls.ttl,
    fields, hidden, computed: computedOf(cls), defaults, events,
    schema: z.object(fields),
  };
}

/** The registry of entity classes known to one kernel, by name and by route. */
export class EntityRegistry {
  readonly #byName = new Map<string, EntityMeta>();
  readonly #byRoute = new Map<string, EntityMeta>();

  /** Adds a class; returns its metadata (the same object if it was added before). */
  add(cls: EntityClass): EntityMeta {
    const existing = this.#byName.get(cls.name);
    if (existing) {
      if (existing.cls === cls) return existing;
      throw new StarmodelError('SM_ENTITY_DUPLICATE', { entity: cls.name });
    }
    const meta = metaOf(cls);
    if (this.#byRoute.has(meta.route)) throw new StarmodelError('SM_ENTITY_DUPLICATE', { entity: meta.route });
    this.#byName.set(meta.name, meta);
    this.#byRoute.set(meta.route, meta);
    return meta;
  }

  /** Metadata by class name or class; throws SM_ENTITY_UNKNOWN. */
  get(entity: string | EntityClass): EntityMeta {
    const meta = this.find(entity);
    if (!meta) throw new StarmodelError('SM_ENTITY_UNKNOWN', { entity: typeof entity === 'string' ? entity : entity.name });
    return meta;
  }

  /** Metadata by class name or class, or undefined. */
  find(entity: string | EntityClass): EntityMeta | undefined {
    const meta = this.#byName.get(typeof entity === 'string' ? entity : entity.name);
    return meta && (typeof entity === 'string' || meta.cls === entity) ? meta : undefined;
  }

  /** Metadata by route segment (`counter`), or undefined. */
  byRoute(route: string): EntityMeta | undefined {
    return this.#byRoute.get(route);
  }

  /** Every registered entity, in registration order. */
  all(): EntityMeta[] {
    return [...this.#byName.values()];
  }
}
