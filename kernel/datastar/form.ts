/**
 * @module datastar/form
 * A form bound to an event: `eventForm(Todo, 'create', { title: '' })` (or `page.form(...)`).
 * It declares the event's argument signals in a namespace of its own (`$sm.forms.<key>`, see
 * forms.ts), binds the inputs, sends the event with the `SM-Form` header, shows each message
 * beside its input, checks inputs on the server while the user types, and disables its submit
 * button with a busy indicator while the request is pending. The server clears the inputs after a
 * success. Every piece is escaped markup for the `html` template.
 */
import type { Dialect } from '../config.js';
import { dialectOf, metaOf, type Entity, type EntityClass, type EventName, type SignalName } from '../entity.js';
import { StarmodelError } from '../errors.js';
import { escapeHtml, Html } from '../html.js';
import type { JsonObject } from '../merge-patch.js';
import type { EventMeta } from '../registry.js';
import { eventUrl } from './actions.js';
import { attributesFor, type DatastarAttributes } from './attributes.js';
import { clearedErrors, FORM_HEADER, formKey, formSignals, VALIDATE_HEADER } from './forms.js';

/** Static methods of an entity class that may be events (`static start()`), not the base class's helpers. */
export type StaticEventName<C> = { [K in keyof C]: C[K] extends (...args: never[]) => unknown ? (K extends keyof typeof Entity ? never : K) : never }[keyof C] & string;

/** Events a form can send: the entity's event methods (static ones too), and a record's built-in `create` and `delete`. */
export type FormEvent<C extends EntityClass> = EventName<InstanceType<C>> | StaticEventName<C> | 'create' | 'delete';

/**
 * Names of a form's inputs: a record's fields for `create`; for an event method any name (a
 * method's parameter names are not in its type), checked against the event when the page renders.
 */
export type FormInput<C extends EntityClass, K> = K extends 'create' ? Exclude<SignalName<InstanceType<C>>, 'id'> : K extends 'delete' ? never : string;

/** Initial values of a form's inputs, by name (text inputs take text: `{ amount: '5' }`). */
export type FormDefaults<C extends EntityClass, K> = Partial<Record<FormInput<C, K>, string | number | boolean | null | readonly (string | number)[]>>;

/** Attributes for an element a form helper writes: `true` writes the bare name, `false`/`undefined` nothing. */
export type FormAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** Options of a form. */
export interface FormOptions<Name extends string = string> {
  /** The record an instance event of a record entity runs on. */
  readonly id?: string;
  /** The form's namespace key. @default `<route>_<event>` (and `_<id>` for a record) — give one when a page shows the same event's form twice. */
  readonly key?: string;
  /** Inputs that keep their value after a success (`true`: all of them); the others go back to their defaults. */
  readonly keep?: readonly Name[] | true;
  /** Check an input on the server while the user types (debounced); nothing runs or is saved. @default true */
  readonly validate?: boolean;
  /** Pause in typing before an input is checked, in ms. @default 400 */
  readonly validateDelayMs?: number;
  /** The Datastar dialect. @default the dialect of the app that registered the class */
  readonly dialect?: Dialect;
}

/** The pieces of a form bound to one event; each is markup (or an expression) for the `html` template. */
export interface EventForm<Name extends string = string> {
  /** The namespace key: the form's signals are `$sm.forms.<key>`. */
  readonly key: string;
  /** The DOM id of the form element. */
  readonly domId: string;
  /** The signals the form declares (merged into the page's first declaration by `page.form`). */
  readonly signals: JsonObject;
  /** Attributes of the `<form>`: id, signals, the submit action, the busy tracking (and method/action without JavaScript, for GET and POST events). */
  readonly attrs: Html;
  /** Only the declaration and busy tracking (no id), for a container that is not a `<form>` (a list row with buttons). */
  readonly scope: Html;
  /** An expression that is true while the form's request is pending. */
  readonly busy: string;
  /** The expression of an input's current value: `$sm.forms.todo_create.values.title`. */
  value(name: Name): string;
  /** Attributes that bind an input (or select, textarea, radio) to an argument: name, two-way binding, validation while typing. */
  bind(name: Name): Html;
  /** An `<input>` bound to an argument, with extra attributes. */
  input(name: Name, attributes?: FormAttributes): Html;
  /** The element that shows an argument's message beside its input. */
  error(name: Name): Html;
  /** A submit button, disabled with a busy indicator while the request is pending. */
  submit(label: string | Html, attributes?: FormAttributes): Html;
  /** A button that sends the event with these arguments (in the URL, where they win over the inputs). */
  button(label: string | Html, args?: Partial<Record<Name, unknown>>, attributes?: FormAttributes): Html;
  /** The Datastar expression that sends the form (with optional arguments in the URL). */
  action(args?: Partial<Record<Name, unknown>>): string;
}

const BUSY_CLASS = 'sm-busy';

/** `name="value"` pairs, escaped; `true` gives the bare name; names that are not plain attribute names are refused. */
export function attributeList(attributes: FormAttributes | undefined): string {
  if (!attributes) return '';
  let out = '';
  for (const [name, value] of Object.entries(attributes)) {
    if (!/^[A-Za-z_:][\w:.-]*$/.test(name)) throw new StarmodelError('SM_FORM_INVALID', { form: '?', reason: `"${name}" is not an attribute name.` });
    if (value === undefined || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return out;
}

/** A JavaScript string literal that is safe inside a double-quoted HTML attribute once escaped. */
function jsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/[\r\n\u2028\u2029]/g, ' ')}'`;
}

/** What both kinds of form (event forms and route forms) share: signals, ids and busy tracking. */
export interface FormCore {
  readonly key: string;
  readonly domId: string;
  readonly path: string;
  readonly ds: DatastarAttributes;
}

/** `$sm.forms.<key>` paths and the DOM ids of a form's elements. */
export function formCore(key: string, dialect: Dialect): FormCore {
  const checked = formKey(key);
  return { key: checked, domId: `sm-form-${checked.replace(/_/g, '-')}`, path: `sm.forms.${checked}`, ds: attributesFor(dialect) };
}

/**
 * The attributes that keep `busy` true while a request from the form (or one of its buttons) is
 * pending. v1 has `data-indicator` for that; beta.11's `data-indicator` stops after the first
 * request (it removes its own listener), so there the form follows Datastar's fetch events itself.
 */
export function busyTracking(core: FormCore): string {
  if (core.ds.dialect === 'v1') return core.ds.indicator(`${core.path}.busy`).value;
  const id = jsString(core.domId);
  const expression = `(evt.detail.elId === ${id} || String(evt.detail.elId).startsWith(${jsString(`${core.domId}-send`)})) && (evt.detail.type === 'started' || evt.detail.type === 'finished') && ($${core.path}.busy = evt.detail.type === 'started')`;
  return core.ds.on('datastar-sse', expression).value;
}

/** A submit button of a form: disabled, with `aria-busy` and a visible indicator, while pending. */
export function submitButton(core: FormCore, label: string | Html, attributes: FormAttributes | undefined, extra = ''): Html {
  const busy = `$${core.path}.busy`;
  const text = label instanceof Html ? label.value : escapeHtml(label);
  return new Html(`<button type="submit"${attributeList(attributes)}${extra} ${core.ds.attr('disabled', busy).value} ${core.ds.attr('aria-busy', busy).value}>${text}<span class="${BUSY_CLASS}" aria-hidden="true" style="display: none" ${core.ds.show(busy).value}></span></button>`);
}

/** The message element of one input. */
export function errorElement(core: FormCore, name: string): Html {
  return new Html(`<span class="field-error" role="alert" id="${escapeHtml(`${core.domId}-${name}-error`)}" data-error="${escapeHtml(name)}" ${core.ds.text(`$${core.path}.errors.${name}`).value}></span>`);
}

function checkName(meta: { name: string }, eventMeta: EventMeta, name: string): void {
  if (!eventMeta.args.some((arg) => arg.name === name)) {
    throw new StarmodelError('SM_FORM_INVALID', { form: `${meta.name}.${eventMeta.name}`, reason: `"${name}" is not an argument of the event; use one of: ${eventMeta.args.map((arg) => arg.name).join(', ') || '(none)'}.` });
  }
}

/**
 * A form bound to one event of an entity, typed like `act()`: the event name is checked, and for
 * a record's `create` so are the input names. Usable outside a page too (a record's `render()`).
 * @example
 * ```ts
 * const add = eventForm(Todo, 'create', { title: '' });
 * html`<form ${add.attrs}>${add.input('title', { placeholder: 'What needs doing?' })}${add.error('title')}${add.submit('Add')}</form>`
 * ```
 */
export function eventForm<C extends EntityClass, K extends FormEvent<C>>(cls: C, event: K, defaults: FormDefaults<C, K> = {}, options: FormOptions<FormInput<C, K>> = {}): EventForm<FormInput<C, K>> {
  const meta = metaOf(cls);
  const eventMeta = meta.events.get(event);
  const where = `${meta.name}.${event}`;
  if (!eventMeta || eventMeta.options.internal) throw new StarmodelError('SM_EVENT_UNKNOWN', { entity: meta.name, event });
  const needsId = eventMeta.path.includes(':id');
  if (needsId && !options.id) throw new StarmodelError('SM_FORM_INVALID', { form: where, reason: 'it runs on one record: pass its id ({ id: record.id }).' });
  const core = formCore(options.key ?? `${meta.route}_${event}${needsId ? `_${options.id}` : ''}`, options.dialect ?? dialectOf(cls));
  const { ds, path, domId } = core;
  const values: JsonObject = {};
  for (const [name, value] of Object.entries(defaults)) {
    checkName(meta, eventMeta, name);
    values[name] = value as JsonObject[string];
  }
  const keep = options.keep === true ? new Set(Object.keys(values)) : new Set<string>(options.keep ?? []);
  const initial: JsonObject = {};
  for (const [name, value] of Object.entries(values)) if (!keep.has(name)) initial[name] = value;
  const signals = formSignals(core.key, { values, initial, errors: clearedErrors(eventMeta.args.map((arg) => arg.name)), busy: false });
  const headers = (validate?: string) => `{headers: {${jsString(FORM_HEADER)}: ${jsString(core.key)}${validate ? `, ${jsString(VALIDATE_HEADER)}: ${jsString(validate)}` : ''}}}`;
  const urlOf = (args: Partial<Record<string, unknown>> = {}) => {
    for (const name of Object.keys(args)) checkName(meta, eventMeta, name);
    return eventUrl(eventMeta, eventMeta.args.map((arg) => args[arg.name]), options.id);
  };
  const action = (args?: Partial<Record<string, unknown>>) => `@${eventMeta.method}('${urlOf(args)}', ${headers()})`;
  const validateAction = (name: string) => `@${eventMeta.method}('${urlOf()}', ${headers(name)})`;
  const declare = ds.signals(signals).value;
  const tracking = busyTracking(core);
  // Without JavaScript a GET or POST form still works: the browser sends the named inputs.
  const plain = eventMeta.method === 'get' || eventMeta.method === 'post' ? ` method="${eventMeta.method}" action="${escapeHtml(urlOf())}"` : '';
  let sent = 0;

  const bind = (name: string) => {
    checkName(meta, eventMeta, name);
    if (!Object.hasOwn(values, name)) throw new StarmodelError('SM_FORM_INVALID', { form: where, reason: `input "${name}" has no default: pass one (e.g. { ${name}: '' }), so its signal is declared before anything reads it.` });
    // Not while the input holds its default: a form reset after a success must not be checked (and nag) again.
    const unchanged = Object.hasOwn(initial, name) ? `$${path}.values.${name} !== $${path}.initial.${name} && ` : '';
    const validating = options.validate !== false ? ` ${ds.on('input', `${unchanged}${validateAction(name)}`, `debounce.${options.validateDelayMs ?? 400}ms`).value}` : '';
    return new Html(`name="${escapeHtml(name)}" aria-describedby="${escapeHtml(`${domId}-${name}-error`)}" ${ds.bind(`${path}.values.${name}`).value}${validating}`);
  };

  return {
    key: core.key, domId, signals, busy: `$${path}.busy`,
    attrs: new Html(`id="${escapeHtml(domId)}"${plain} ${declare} ${ds.on('submit', action(), 'prevent').value} ${tracking}`),
    scope: new Html(`${declare} ${tracking}`),
    value: (name) => {
      checkName(meta, eventMeta, name);
      return `$${path}.values.${name}`;
    },
    bind,
    input: (name, attributes) => {
      const value = values[name];
      const shown = typeof value === 'string' || typeof value === 'number' ? ` value="${escapeHtml(String(value))}"` : '';
      return new Html(`<input id="${escapeHtml(`${domId}-${name}`)}" ${bind(name).value}${shown}${attributeList(attributes)}>`);
    },
    error: (name) => {
      checkName(meta, eventMeta, name);
      return errorElement(core, name);
    },
    submit: (label, attributes) => submitButton(core, label, attributes),
    button: (label, args, attributes) => {
      const id = `${domId}-send-${++sent}`;
      const busy = `$${path}.busy`;
      const text = label instanceof Html ? label.value : escapeHtml(label);
      const indicator = ds.dialect === 'v1' ? ` ${ds.indicator(`${path}.busy`).value}` : '';
      return new Html(`<button type="button" id="${escapeHtml(id)}"${attributeList(attributes)} ${ds.on('click', action(args)).value}${indicator} ${ds.attr('disabled', busy).value} ${ds.attr('aria-busy', busy).value}>${text}</button>`);
    },
    action,
  };
}

/** Options of a form posted to a plain route (not an event). */
export interface RouteFormOptions {
  /** @default 'post' */
  readonly method?: 'get' | 'post';
  /** The form's namespace key. @default the path's words (`auth_login`) */
  readonly key?: string;
  /** The Datastar dialect. @default 'beta11' */
  readonly dialect?: Dialect;
}

/** The pieces of a form posted to a plain route. */
export interface RouteForm<Name extends string = string> {
  readonly key: string;
  readonly domId: string;
  readonly signals: JsonObject;
  /** Attributes of the `<form>`: it posts its own named inputs (also without JavaScript). */
  readonly attrs: Html;
  readonly busy: string;
  error(name: Name): Html;
  submit(label: string | Html, attributes?: FormAttributes): Html;
}

/**
 * A form posted to a route that is not an event (sign-in, sign-up): Datastar sends the form's own
 * inputs as form data (so secrets such as passwords never become signals, which every later
 * request would carry), with the `SM-Form` header; a route that knows the header answers with
 * messages in the form's namespace. Without JavaScript it is a plain HTML form.
 */
export function routeForm<Name extends string>(path: string, fields: readonly Name[], options: RouteFormOptions = {}): RouteForm<Name> {
  if (!path.startsWith('/') || path.startsWith('//')) throw new StarmodelError('SM_FORM_INVALID', { form: path, reason: 'a route form posts to a path on this site, such as "/auth/login".' });
  const method = options.method ?? 'post';
  const core = formCore(options.key ?? path, options.dialect ?? 'beta11');
  const names = new Set<string>(fields);
  const signals = formSignals(core.key, { errors: clearedErrors(names), busy: false });
  const action = `@${method}(${jsString(path)}, {contentType: 'form', headers: {${jsString(FORM_HEADER)}: ${jsString(core.key)}}})`;
  const check = (name: string) => {
    if (!names.has(name)) throw new StarmodelError('SM_FORM_INVALID', { form: path, reason: `"${name}" is not one of its fields (${[...names].join(', ')}).` });
  };
  return {
    key: core.key, domId: core.domId, signals, busy: `$${core.path}.busy`,
    attrs: new Html(`id="${escapeHtml(core.domId)}" method="${method}" action="${escapeHtml(path)}" ${core.ds.signals(signals).value} ${core.ds.on('submit', action, 'prevent').value} ${busyTracking(core)}`),
    error: (name) => {
      check(name);
      return errorElement(core, name);
    },
    submit: (label, attributes) => submitButton(core, label, attributes),
  };
}
