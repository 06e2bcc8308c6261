/**
 * @module datastar/render
 * An entity rendered as the element that carries its signals, namespaced by class:
 * `<div id="Counter" data-signals="{&quot;Counter&quot;:{...}}"></div>`.
 */
import type { Entity } from '../entity.js';
import { escapeHtml, Html } from '../html.js';
import type { JsonObject } from '../merge-patch.js';
import type { EntityMeta } from '../registry.js';
import { signalsOf } from '../state.js';

/**
 * JSON for a `data-signals` attribute. The beta.11 client compiles that attribute as an expression:
 * it splits statements at `;` and rewrites `$signal` and `@action(` even inside string literals, so
 * user text could break the page or change its meaning. Those characters only ever occur inside
 * JSON strings, where a `\uXXXX` escape means the same value and gives the compiler nothing to read.
 */
export function attributeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[;$@'`\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Initial `errors` signal: one empty message per visible field and per event argument, so any
 * `$<Entity>.errors.<name>` a page shows is declared before an expression reads it.
 */
export function emptyErrors(meta: EntityMeta): JsonObject {
  const errors: JsonObject = {};
  for (const name of Object.keys(meta.fields)) if (!meta.hidden.has(name)) errors[name] = '';
  for (const eventMeta of meta.events.values()) for (const arg of eventMeta.args) errors[arg.name] = '';
  return errors;
}

/**
 * An entity's whole namespace with its default values: id, visible fields, computed fields and
 * every `errors.<name>`. What a page declares for an entity it streams but never rendered (a
 * record list), so expressions naming it never meet an undeclared signal.
 */
export function defaultNamespace(meta: EntityMeta): JsonObject {
  const entity = new meta.cls();
  return namespacedSignals(meta, signalsOf(meta, entity), true);
}

/** The namespaced signals of an entity, as a page's first render or a live stream's first event. */
export function namespacedSignals(meta: EntityMeta, signals: JsonObject, withErrors = false): JsonObject {
  return { [meta.namespace]: withErrors ? { ...signals, errors: emptyErrors(meta) } : signals };
}

/** The element that declares an entity's signals; `children` go inside it. */
export function signalsElement(meta: EntityMeta, entity: Entity, children?: Html): Html {
  const signals = namespacedSignals(meta, signalsOf(meta, entity), true);
  return new Html(`<div id="${escapeHtml(meta.namespace)}" data-signals="${escapeHtml(attributeJson(signals))}">${children?.value ?? ''}</div>`);
}
