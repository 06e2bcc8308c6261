/**
 * @module html
 * The `html` tagged template: every interpolation is escaped unless it is already `Html`
 * (from `html` or `raw()`), so user values can never inject markup.
 */

/** Trusted markup. Create it with `html\`...\`` or, for markup you trust, `raw()`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

/** Objects with this method render themselves as trusted markup inside `html` (entities do). */
export const kRender = Symbol.for('starmodel.render');

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (typeof value === 'object' && value !== null && typeof (value as { [kRender]?: unknown })[kRender] === 'function') {
    return ((value as { [kRender]: () => Html })[kRender]()).value;
  }
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Builds HTML, escaping every interpolated value. Arrays are joined; `null`, `undefined` and
 * `false` render nothing.
 * @example html`<li>${todo.title}</li>`
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let index = 0; index < values.length; index++) out += render(values[index]) + (strings[index + 1] ?? '');
  return new Html(out);
}

/** Marks a string as trusted markup. Never pass user input. */
export function raw(markup: string): Html {
  return new Html(markup);
}
