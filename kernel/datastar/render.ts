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

/** Initial `errors` signal: one empty message per event argument, so forms can show them. */
export function emptyErrors(meta: EntityMeta): JsonObject {
  const errors: JsonObject = {};
  for (const eventMeta of meta.events.values()) for (const arg of eventMeta.args) errors[arg.name] = '';
  return errors;
}

/** The namespaced signals of an entity, as a page's first render or a live stream's first event. */
export function namespacedSignals(meta: EntityMeta, signals: JsonObject, withErrors = false): JsonObject {
  return { [meta.namespace]: withErrors ? { ...signals, errors: emptyErrors(meta) } : signals };
}

/** The element that declares an entity's signals; `children` go inside it. */
export function signalsElement(meta: EntityMeta, entity: Entity, children?: Html): Html {
  const signals = namespacedSignals(meta, signalsOf(meta, entity), true);
  return new Html(`<div id="${escapeHtml(meta.namespace)}" data-signals="${escapeHtml(JSON.stringify(signals))}">${children?.value ?? ''}</div>`);
}
