/**
 * @module @starmodel/admin/views/controls
 * Form controls generated from schemas: text with maxlength, number with min/max/step, checkbox
 * for booleans, select for enums, datetime-local for dates, a JSON textarea for the rest. Each has
 * a label, a hint saying what it accepts, and its error message tied to it with aria-describedby.
 */
import { html, schemaInfo, type FieldErrors, type Html, type Schema } from 'starmodel';
import { hintOf, inputKindOf } from '../fields.js';
import type { FormValue } from '../form-values.js';

/** One control to render. */
export interface ControlSpec {
  readonly name: string;
  readonly schema: Schema;
  readonly value: FormValue;
  readonly error?: string | undefined;
  /** Prefix of the control's id (unique per form on the page). */
  readonly idPrefix: string;
}

/** A labelled control with its hint and error. */
export function control(spec: ControlSpec): Html {
  const info = schemaInfo(spec.schema);
  const kind = inputKindOf(info);
  const id = `${spec.idPrefix}-${spec.name}`;
  const hint = hintOf(info);
  const describedBy = [hint ? `${id}-hint` : '', spec.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const aria = html`${describedBy ? html`aria-describedby="${describedBy}"` : ''} ${spec.error ? html`aria-invalid="true"` : ''}`;
  const text = typeof spec.value === 'string' ? spec.value : '';
  const hintLine = hint ? html`<span class="hint" id="${id}-hint">${hint}</span>` : '';
  const errorLine = spec.error ? html`<span class="field-error" id="${id}-error">${spec.error}</span>` : '';

  if (kind === 'checkbox') {
    return html`<div class="field check${spec.error ? ' invalid' : ''}" data-field="${spec.name}">
<input type="checkbox" id="${id}" name="${spec.name}" value="true" ${spec.value === true ? html`checked` : ''} ${aria}>
<label for="${id}">${spec.name}</label>${hintLine}${errorLine}</div>`;
  }
  let input: Html;
  switch (kind) {
    case 'select': {
      const choices = info.options ?? [];
      const blank = info.nullable || info.optional || !choices.includes(text);
      input = html`<select id="${id}" name="${spec.name}" ${aria}>${blank ? html`<option value="">—</option>` : ''}${choices.map((choice) => html`<option ${choice === text ? html`selected` : ''}>${choice}</option>`)}</select>`;
      break;
    }
    case 'number':
      input = html`<input type="number" id="${id}" name="${spec.name}" value="${text}" step="${info.integer ? '1' : 'any'}" ${info.min !== undefined ? html`min="${info.min}"` : ''} ${info.max !== undefined ? html`max="${info.max}"` : ''} inputmode="${info.integer ? 'numeric' : 'decimal'}" ${aria}>`;
      break;
    case 'whole-text':
      input = html`<input type="text" id="${id}" name="${spec.name}" value="${text}" inputmode="numeric" ${aria}>`;
      break;
    case 'datetime':
      input = html`<input type="datetime-local" id="${id}" name="${spec.name}" value="${text}" step="1" ${aria}>`;
      break;
    case 'json':
      input = html`<textarea id="${id}" name="${spec.name}" class="json" rows="4" spellcheck="false" ${aria}>${text}</textarea>`;
      break;
    case 'textarea':
      input = html`<textarea id="${id}" name="${spec.name}" rows="4" ${info.maxLength !== undefined ? html`maxlength="${info.maxLength}"` : ''} ${aria}>${text}</textarea>`;
      break;
    default:
      input = html`<input type="text" id="${id}" name="${spec.name}" value="${text}" ${info.maxLength !== undefined ? html`maxlength="${info.maxLength}"` : ''} autocomplete="off" ${aria}>`;
  }
  return html`<div class="field${spec.error ? ' invalid' : ''}" data-field="${spec.name}"><label for="${id}">${spec.name}</label>${hintLine}${input}${errorLine}</div>`;
}

/** Controls for a set of schemas, with values and errors by name. */
export function controls(schemas: readonly [string, Schema][], values: Readonly<Record<string, FormValue>>, errors: FieldErrors, idPrefix: string): Html {
  return html`${schemas.map(([name, schema]) => control({ name, schema, value: values[name] ?? '', error: errors[name], idPrefix }))}`;
}

/** A form-level summary of field errors, linking to each control (focus lands here after a failed post). */
export function errorSummary(errors: FieldErrors, idPrefix: string, message?: string): Html {
  const entries = Object.entries(errors);
  if (entries.length === 0 && !message) return html``;
  return html`<div class="notice error" role="alert" tabindex="-1" id="${idPrefix}-errors">
<p>${message ?? 'Nothing was saved. Fix these and try again:'}</p>
${entries.length > 0 ? html`<ul>${entries.map(([name, text]) => html`<li><a href="#${idPrefix}-${name}">${name}</a>: ${text}</li>`)}</ul>` : ''}
</div>`;
}
