/**
 * @module datastar/attributes
 * Datastar attributes spelled for the configured dialect: beta.11 writes `data-on-click`, 1.0
 * writes `data-on:click`. Each helper returns escaped, trusted markup for use inside `html`.
 */
import type { Dialect } from '../config.js';
import { escapeHtml, Html } from '../html.js';
import { attributeJson } from './render.js';

/** Attribute helpers for one dialect. */
export interface DatastarAttributes {
  readonly dialect: Dialect;
  /** `data-on-<event>="<expression>"`; modifiers like `debounce.300ms` are appended. */
  on(event: string, expression: string, ...modifiers: string[]): Html;
  /** Two-way binding of an input to a signal path (`Counter.amount`, without `$`). */
  bind(signalPath: string): Html;
  /** Sets the element's text from an expression. */
  text(expression: string): Html;
  /** Shows the element while the expression is truthy. */
  show(expression: string): Html;
  /** Sets an attribute from an expression. */
  attr(name: string, expression: string): Html;
  /** Toggles a class from an expression. */
  classIf(name: string, expression: string): Html;
  /** Runs an expression when the element loads (beta.11 `data-on-load`, 1.0 `data-init`). */
  onLoad(expression: string): Html;
  /** A signal that is true while a request from this element is in flight. */
  indicator(signal: string): Html;
  /** Declares signals from a JSON object. */
  signals(values: Readonly<Record<string, unknown>>): Html;
  /** Runs an expression now and again whenever a signal it reads changes (`data-effect`). */
  effect(expression: string): Html;
  /** Declares signals that are not declared yet (`data-signals__ifmissing`): defaults that never overwrite a value. */
  signalsIfMissing(values: Readonly<Record<string, unknown>>): Html;
}

const attribute = (name: string, value: string) => new Html(`${name}="${escapeHtml(value)}"`);

/** The attribute helpers of a dialect. */
export function datastarAttributes(dialect: Dialect): DatastarAttributes {
  const key = dialect === 'v1' ? ':' : '-';
  const modifierSeparator = '__';
  const keyed = (plugin: string, name: string, modifiers: string[] = []) => `data-${plugin}${key}${name}${modifiers.map((modifier) => modifierSeparator + modifier).join('')}`;
  return {
    dialect,
    on: (event, expression, ...modifiers) => attribute(keyed('on', event, modifiers), expression),
    // The value form keeps the signal's case (attribute names are lower-cased by HTML).
    bind: (signalPath) => attribute('data-bind', signalPath),
    text: (expression) => attribute('data-text', expression),
    show: (expression) => attribute('data-show', expression),
    attr: (name, expression) => attribute(keyed('attr', name), expression),
    classIf: (name, expression) => attribute(keyed('class', name), expression),
    onLoad: (expression) => (dialect === 'v1' ? attribute('data-init', expression) : attribute('data-on-load', expression)),
    indicator: (signal) => attribute('data-indicator', signal),
    signals: (values) => attribute('data-signals', attributeJson(values)),
    effect: (expression) => attribute('data-effect', expression),
    signalsIfMissing: (values) => attribute(`data-signals${modifierSeparator}ifmissing`, attributeJson(values)),
  };
}

const byDialect = new Map<Dialect, DatastarAttributes>();

/** The attribute helpers of a dialect, made once per dialect. */
export function attributesFor(dialect: Dialect): DatastarAttributes {
  let attributes = byDialect.get(dialect);
  if (!attributes) byDialect.set(dialect, (attributes = datastarAttributes(dialect)));
  return attributes;
}
