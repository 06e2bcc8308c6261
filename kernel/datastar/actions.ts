/**
 * @module datastar/actions
 * Action strings (`@get('/counter/increment?amount=5')`) and signal paths (`$Counter.count`).
 */
import type { EventMeta } from '../registry.js';

function quoteSafe(text: string): string {
  // The URL sits inside a single-quoted JS string inside an HTML attribute.
  return text.replace(/'/g, '%27');
}

function encodeValue(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap(encodeValue);
  if (value instanceof Date) return [value.toISOString()];
  if (typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

/** The URL of an event with its arguments as a query (arrays repeat the key; undefined is left out). */
export function eventUrl(eventMeta: EventMeta, args: readonly unknown[], recordId?: string): string {
  const path = eventMeta.path.replace(':id', encodeURIComponent(recordId ?? ':id'));
  const query = new URLSearchParams();
  eventMeta.args.forEach((arg, index) => {
    for (const text of encodeValue(args[index])) query.append(arg.name, text);
  });
  const search = query.toString();
  return quoteSafe(search ? `${path}?${search}` : path);
}

/** `@<method>('<url>')`, the Datastar action that runs an event. */
export function actionString(eventMeta: EventMeta, args: readonly unknown[], recordId?: string): string {
  return `@${eventMeta.method}('${eventUrl(eventMeta, args, recordId)}')`;
}
