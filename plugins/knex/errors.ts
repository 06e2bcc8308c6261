/**
 * @module @starmodel/knex/errors
 * Driver errors (sqlite3, pg, knex's pool) mapped to the kernel's codes at the store's boundary:
 * a duplicate on a unique column is 409 SM_STORE_DUPLICATE, a missing required value or a
 * failed check is 400 SM_VALIDATION_FAILED naming the field, a database that cannot be reached
 * is 503 SM_STORE_UNAVAILABLE. Messages that may reach a client never carry SQL, values or
 * credentials; the driver's error stays attached as `cause` for the server's logs.
 */
import { isStarmodelError, isVersionConflict, StarmodelError } from 'starmodel';
import type { ColumnSpec } from './columns.js';

/** What the mapping knows about where an error happened. */
export interface ErrorScope {
  readonly entity?: string;
  readonly table?: string;
  readonly columns?: ReadonlyMap<string, ColumnSpec>;
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  name?: unknown;
  constraint?: unknown;
  column?: unknown;
  detail?: unknown;
  errors?: unknown;
  cause?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED',
  // PostgreSQL: admin/crash shutdown, cannot connect now, too many connections, out of memory/disk.
  '57P01', '57P02', '57P03', '53300', '53200', '53100',
  // SQLite: locked by another process past busy_timeout, cannot open the file, disk I/O.
  'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL',
]);

function asDriverError(value: unknown): DriverError | undefined {
  return typeof value === 'object' && value !== null ? (value as DriverError) : undefined;
}

/** Every error in a chain: the error, its `cause`, and an AggregateError's members. */
function chain(error: unknown): DriverError[] {
  const seen: DriverError[] = [];
  const visit = (value: unknown, depth: number) => {
    const driver = asDriverError(value);
    if (!driver || depth > 5 || seen.includes(driver)) return;
    seen.push(driver);
    if (Array.isArray(driver.errors)) for (const member of driver.errors) visit(member, depth + 1);
    visit(driver.cause, depth + 1);
  };
  visit(error, 0);
  return seen;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** True when the database could not be reached or dropped the connection. */
export function isConnectionError(error: unknown): boolean {
  return chain(error).some((item) => {
    const code = text(item.code);
    if (CONNECTION_CODES.has(code) || code.startsWith('08')) return true;
    if (item.name === 'KnexTimeoutError') return true;
    return /Connection terminated|connection error|Client was closed|Unable to acquire a connection|server closed the connection/i.test(text(item.message));
  });
}

/** The driver's own message, without the SQL (and bound values) knex puts in front of it. */
export function driverMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cut = message.lastIndexOf(' - ');
  return cut >= 0 ? message.slice(cut + 3) : message;
}

/** The column named by a constraint error, if it is one of the table's columns. */
function columnIn(scope: ErrorScope, candidates: string[]): string | undefined {
  const known = scope.columns ? [...scope.columns.keys()] : [];
  for (const candidate of candidates) {
    const clean = candidate.replace(/[`"']/g, '').trim();
    const bare = clean.includes('.') ? clean.slice(clean.lastIndexOf('.') + 1) : clean;
    if (known.includes(bare) || bare === 'id') return bare;
    const inside = known.find((name) => new RegExp(`(^|[^\\w])${name}([^\\w]|$)`).test(clean));
    if (inside) return inside;
  }
  return undefined;
}

type Violation = { kind: 'unique' | 'not-null' | 'check' | 'invalid'; column: string | undefined };

/** Reads a constraint violation from a sqlite3 or pg error. */
export function violationOf(error: unknown, scope: ErrorScope = {}): Violation | undefined {
  const driver = asDriverError(error);
  if (!driver) return undefined;
  const code = text(driver.code);
  const message = driverMessage(error);
  if (code === 'SQLITE_CONSTRAINT' || code.startsWith('SQLITE_CONSTRAINT_')) {
    const detail = /constraint failed: (.*)$/i.exec(message)?.[1] ?? '';
    const columns = detail.split(',').map((part) => part.trim());
    if (/UNIQUE|PRIMARY KEY/i.test(message)) return { kind: 'unique', column: columnIn(scope, columns) };
    if (/NOT NULL/i.test(message)) return { kind: 'not-null', column: columnIn(scope, columns) };
    if (/CHECK/i.test(message)) return { kind: 'check', column: columnIn(scope, [detail]) };
    return undefined;
  }
  const constraint = text(driver.constraint);
  const stripped = scope.table && constraint.startsWith(`${scope.table}_`) ? constraint.slice(scope.table.length + 1).replace(/_(check|unique|pkey|key)$/, '') : constraint;
  switch (code) {
    case '23505': {
      const keyColumns = /^Key \(([^)]*)\)/.exec(text(driver.detail))?.[1];
      return { kind: 'unique', column: columnIn(scope, [...(keyColumns ? keyColumns.split(',') : []), stripped]) };
    }
    case '23502':
      return { kind: 'not-null', column: columnIn(scope, [text(driver.column)]) };
    case '23514':
      return { kind: 'check', column: columnIn(scope, [stripped]) };
    case '22P02': case '22007': case '22008': case '22003': case '22001':
      return { kind: 'invalid', column: undefined };
    default:
      return undefined;
  }
}

/** True for a unique violation on the primary key (the store turns it into a VersionConflict). */
export function isPrimaryKeyViolation(error: unknown, scope: ErrorScope = {}): boolean {
  const violation = violationOf(error, scope);
  if (violation?.kind !== 'unique') return false;
  const constraint = text(asDriverError(error)?.constraint);
  return violation.column === 'id' || constraint.endsWith('_pkey');
}

function fieldMessage(violation: Violation, scope: ErrorScope): string {
  const column = violation.column ? scope.columns?.get(violation.column) : undefined;
  switch (violation.kind) {
    case 'not-null': return 'Required';
    case 'check': return column?.values ? `Expected one of: ${column.values.join(', ')}` : 'Not an allowed value';
    case 'invalid': return 'Not a valid value for this field';
    default: return 'Already taken';
  }
}

/**
 * Any error from knex or a driver as the error the kernel and a client may see. StarmodelErrors
 * and VersionConflicts pass through unchanged.
 */
export function toStoreError(error: unknown, scope: ErrorScope = {}): Error {
  if (isStarmodelError(error) || isVersionConflict(error)) return error as Error;
  const cause = { cause: error };
  if (isConnectionError(error)) return new StarmodelError('SM_STORE_UNAVAILABLE', { store: 'sql' }, cause);
  const violation = violationOf(error, scope);
  if (violation) {
    const field = violation.column ?? 'value';
    const message = fieldMessage(violation, scope);
    if (violation.kind === 'unique') {
      return new StarmodelError('SM_STORE_DUPLICATE', { entity: scope.entity ?? 'record', field }, { ...cause, fields: { [field]: message } });
    }
    return new StarmodelError('SM_VALIDATION_FAILED', { summary: `${field}: ${message}` }, { ...cause, fields: { [field]: message } });
  }
  const code = text(asDriverError(error)?.code);
  return new StarmodelError('SM_STORE_FAILED', { store: 'sql', reason: `${code ? `${code}: ` : ''}${driverMessage(error)}` }, cause);
}
