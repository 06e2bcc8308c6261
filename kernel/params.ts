import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * @module params
 * Reads an event method's parameter names and literal defaults from its source, so that
 * `increment(amount = 1)` needs no schema: `amount` is an optional number defaulting to 1.
 */

/** One declared parameter of an event method. */
export interface ParamInfo {
  readonly name: string;
  /** True when the parameter has a default (or is a rest parameter). */
  readonly optional: boolean;
  /** The default's value, when it is a literal that can be read without running code. */
  readonly defaultValue?: unknown;
  /** True when the default is an expression we could not read (its type stays unknown). */
  readonly opaqueDefault: boolean;
  readonly rest: boolean;
  /** The TypeScript type annotation as written (`number`, `'a' | 'b'`), when the source has one. */
  readonly annotation?: string;
  /** The default as written, when it is not a literal we can read. */
  readonly defaultText?: string;
}

/**
 * Walks source text outside string literals, calling `visit` with each character and the bracket
 * depth after it; `visit` returns true to stop. Returns the index it stopped at, or -1.
 */
function scanCode(text: string, from: number, visit: (char: string, index: number, depth: number) => boolean): number {
  let depth = 0;
  let quote: string | null = null;
  for (let index = from; index < text.length; index++) {
    const char = text[index]!;
    if (quote) {
      if (char === '\\') index++;
      else if (char === quote) quote = null;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') depth--;
    if (visit(char, index, depth)) return index;
  }
  return -1;
}

function parameterListOf(source: string): string {
  const open = source.indexOf('(');
  if (open < 0) return '';
  const close = scanCode(source, open, (char, _index, depth) => char === ')' && depth === 0);
  return close < 0 ? '' : source.slice(open + 1, close);
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let start = 0;
  scanCode(list, 0, (char, index, depth) => {
    if (char === ',' && depth === 0) {
      parts.push(list.slice(start, index));
      start = index + 1;
    }
    return false;
  });
  parts.push(list.slice(start));
  return parts.map((part) => part.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').trim()).filter((part) => part.length > 0);
}

/** Where an event method is written, taken from the decorator's (source-mapped) call stack. */
export interface SourceLocation { readonly file: string; readonly line: number; readonly column: number }

/** The location of the class element being decorated, or undefined outside a decorator call. */
export function decoratedLocation(stack: string | undefined): SourceLocation | undefined {
  const frames = (stack ?? '').split('\n');
  const helper = frames.findIndex((frame) => frame.includes('__decorateElement') || frame.includes('__esDecorate'));
  const frame = helper >= 0 ? frames[helper + 1] : undefined;
  const match = frame?.match(/\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/);
  if (!match) return undefined;
  const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

const sources = new Map<string, string[] | undefined>();

function sourceLines(file: string): string[] | undefined {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(file, 'utf8').split('\n'));
    } catch {
      sources.set(file, undefined);
    }
  }
  return sources.get(file);
}

/**
 * The parameters of a method read from its original source file. Bundlers such as esbuild rename
 * a parameter that shadows a module-level name (`amount` becomes `amount2`), so the compiled
 * function's text cannot be trusted for names; the source can.
 */
export function readParamsFromSource(location: SourceLocation, methodName: string): ParamInfo[] | undefined {
  const lines = sourceLines(location.file);
  if (!lines) return undefined;
  const text = lines.slice(location.line - 1, location.line + 40).join('\n').slice(Math.max(0, location.column - 1));
  const at = text.search(new RegExp(`(^|[\\s*])${methodName.replace(/[$]/g, '\\$')}\\s*(<[^>]*>)?\\s*\\(`));
  if (at < 0) return undefined;
  return parseParams(parameterListOf(text.slice(at)));
}

const LITERAL = /^(-?[\d_]+(\.[\d_]+)?(e[-+]?\d+)?|true|false|null|'[^'\\]*'|"[^"\\]*"|\[\]|\{\})$/i;

function readLiteral(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!LITERAL.test(text)) return { ok: false };
  if (text.startsWith("'")) return { ok: true, value: text.slice(1, -1) };
  // Numeric separators (1_000) are fine in source but not in JSON.
  return { ok: true, value: JSON.parse(/^-?\d/.test(text) ? text.replace(/_/g, '') : text) as unknown };
}

/**
 * The parameters of a function, read from its source text. Destructured parameters have no name
 * and are reported with `name` set to the empty string, so the caller can ask for an `args` schema.
 */
export function readParams(fn: (...args: never[]) => unknown): ParamInfo[] {
  return parseParams(parameterListOf(Function.prototype.toString.call(fn)));
}

/** Index of the first `=` that is a default (not part of `=>`, `==`, or inside brackets). */
function defaultEquals(text: string): number {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '(' || char === '[' || char === '{' || char === '<') depth++;
    else if (char === ')' || char === ']' || char === '}' || (char === '>' && text[index - 1] !== '=')) depth--;
    else if (char === '=' && depth <= 0 && text[index + 1] !== '>' && text[index + 1] !== '=') return index;
  }
  return -1;
}

function parseParams(list: string): ParamInfo[] {
  return splitTopLevel(list).filter((part) => !/^this\s*:/.test(part)).map((part) => {
    const rest = part.startsWith('...');
    const body = rest ? part.slice(3).trim() : part;
    const equals = defaultEquals(body);
    const declaration = (equals < 0 ? body : body.slice(0, equals)).trim();
    const named = declaration.match(/^([A-Za-z_$][\w$]*)\s*(\?)?\s*(:[\s\S]*)?$/);
    const validName = named ? named[1]! : '';
    const annotation = named?.[3]?.replace(/^:/, '').trim();
    const typed = annotation ? { annotation } : {};
    if (named?.[2] && equals < 0) return { name: validName, optional: true, opaqueDefault: false, rest, ...typed };
    if (equals < 0) return { name: validName, optional: rest, opaqueDefault: false, rest, ...typed };
    const literal = readLiteral(body.slice(equals + 1).trim());
    return literal.ok
      ? { name: validName, optional: true, defaultValue: literal.value, opaqueDefault: false, rest, ...typed }
      : { name: validName, optional: true, opaqueDefault: true, rest, defaultText: body.slice(equals + 1).trim(), ...typed };
  });
}
