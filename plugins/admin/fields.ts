/**
 * @module @starmodel/admin/fields
 * What the admin makes of an entity's field schemas: which input a field gets, which columns a
 * table shows and may sort by, which fields a text search looks into.
 */
import { schemaInfo, type EntityMeta, type Schema, type SchemaInfo } from 'starmodel';

/** The form control a schema gets. */
export type InputKind = 'text' | 'textarea' | 'number' | 'whole-text' | 'checkbox' | 'select' | 'datetime' | 'json';

/** Strings longer than this get a textarea instead of a one-line input. */
const LONG_TEXT = 200;

/** The control for a schema: inputs by type, enums as selects, booleans as checkboxes, JSON for the rest. */
export function inputKindOf(info: SchemaInfo): InputKind {
  switch (info.type) {
    case 'string':
      return info.maxLength !== undefined && info.maxLength > LONG_TEXT ? 'textarea' : 'text';
    case 'number':
      return 'number';
    case 'bigint':
      return 'whole-text';
    case 'boolean':
      return 'checkbox';
    case 'enum':
      return 'select';
    case 'date':
      return 'datetime';
    default:
      return 'json';
  }
}

/** Types a table can show in one cell and every store can order by. */
const SCALAR = new Set(['string', 'number', 'bigint', 'boolean', 'enum', 'date']);

/** True for a scalar type (one cell, sortable). */
export function isScalar(schema: Schema): boolean {
  return SCALAR.has(schemaInfo(schema).type);
}

/** Fields a browser may see and an admin may edit: every field but the hidden ones, in declaration order. */
export function visibleFields(meta: EntityMeta): [string, Schema][] {
  return Object.entries(meta.fields).filter(([name]) => !meta.hidden.has(name));
}

/** Columns the table may sort by: `id` and the visible scalar fields. */
export function sortableColumns(meta: EntityMeta): string[] {
  return ['id', ...visibleFields(meta).filter(([, schema]) => isScalar(schema)).map(([name]) => name)];
}

/** Fields a substring search looks into: `id` and the visible text and enum fields. */
export function textColumns(meta: EntityMeta): string[] {
  return ['id', ...visibleFields(meta).filter(([, schema]) => ['string', 'enum'].includes(schemaInfo(schema).type)).map(([name]) => name)];
}

/** A short description of what a field accepts, shown under its label. */
export function hintOf(info: SchemaInfo): string {
  const parts: string[] = [];
  switch (info.type) {
    case 'string':
      if (info.minLength !== undefined && info.maxLength !== undefined) parts.push(`${info.minLength} to ${info.maxLength} characters`);
      else if (info.maxLength !== undefined) parts.push(`up to ${info.maxLength} characters`);
      else if (info.minLength !== undefined) parts.push(`at least ${info.minLength} characters`);
      break;
    case 'number':
      parts.push(info.integer ? 'a whole number' : 'a number');
      if (info.min !== undefined && info.max !== undefined) parts.push(`from ${info.min} to ${info.max}`);
      else if (info.min !== undefined) parts.push(`${info.min} or more`);
      else if (info.max !== undefined) parts.push(`${info.max} or less`);
      break;
    case 'bigint':
      parts.push('a whole number');
      break;
    case 'date':
      parts.push('date and time, UTC');
      break;
    case 'enum':
    case 'boolean':
      break;
    default:
      parts.push('JSON');
  }
  if (info.nullable || info.optional) parts.push('may be left empty');
  return parts.join(', ');
}
