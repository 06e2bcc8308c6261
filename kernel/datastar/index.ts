/**
 * @module datastar
 * The Datastar protocol: abstract patches, the two wire dialects, action strings and attributes.
 */
import type { Dialect } from '../config.js';
import { beta11Encoder } from './encode-beta11.js';
import { v1Encoder } from './encode-v1.js';
import type { Encoder } from './patches.js';

export { dataLines, scriptLiteral, sseComment, sseEvent } from './patches.js';
export { feedbackPatches } from './feedback.js';
export type { ElementsPatch, Encoder, Patch, RemoveElementsPatch, RemoveSignalsPatch, ScriptPatch, SignalsPatch, SseOptions } from './patches.js';
export { beta11Encoder, splitNulls } from './encode-beta11.js';
export { v1Encoder } from './encode-v1.js';
export { actionString, eventUrl } from './actions.js';
export { attributesFor, datastarAttributes } from './attributes.js';
export { attributeList, eventForm, routeForm } from './form.js';
export type { EventForm, FormAttributes, FormDefaults, FormEvent, FormInput, FormOptions, RouteForm, RouteFormOptions, StaticEventName } from './form.js';
export { clearedErrors, FORM_HEADER, formKey, formSignals, formStateOf, pageMessage, requestFormKey, VALIDATE_HEADER, validateRequest } from './forms.js';
export type { DatastarAttributes } from './attributes.js';
export { attributeJson, defaultNamespace, emptyErrors, namespacedSignals, signalsElement } from './render.js';

/** The encoder of a dialect. */
export function encoderFor(dialect: Dialect): Encoder {
  return dialect === 'v1' ? v1Encoder : beta11Encoder;
}
