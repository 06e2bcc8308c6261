/**
 * @module @starmodel/mongo/errors
 * Driver errors mapped to the kernel's codes at the store's boundary: a duplicate key is 409
 * SM_STORE_DUPLICATE, a server that cannot be reached (or is stepping down, or shutting down) is
 * 503 SM_STORE_UNAVAILABLE, anything else is 500 SM_STORE_FAILED (not shown to clients).
 * Connection strings never appear in a message, and the driver's error is attached as `cause`
 * only as a redacted copy (name, code, message), so logs cannot leak a password either.
 */
import { isStarmodelError, isVersionConflict, StarmodelError } from 'starmodel';

interface DriverError {
  name?: unknown;
  code?: unknown;
  codeName?: unknown;
  message?: unknown;
  keyPattern?: unknown;
  errorLabels?: unknown;
  errorLabelSet?: unknown;
}

/** Driver error classes that mean "no server answered". Matched by name: several driver copies may be loaded. */
const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoTopologyClosedError',
  'MongoNotConnectedError', 'MongoClientClosedError', 'MongoServerClosedError', 'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError', 'MongoOperationTimeoutError',
]);

/**
 * Server codes for a server that is unreachable, stepping down or shutting down: HostUnreachable,
 * HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown, ExceededTimeLimit,
 * SocketException, NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
 * NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary.
 */
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

const DUPLICATE_KEY_CODES = new Set([11000, 11001, 12582]);

const CONNECTION_STRING = /mongodb(?:\+srv)?:\/\/[^\s"'`,;)]+/gi;
const USER_INFO = /\b[^\s/@:"']+:[^\s/@"']+@/g;

/** Text with connection strings (and `user:password@`) removed. */
export function redact(text: string): string {
  return text.replace(CONNECTION_STRING, 'mongodb://<redacted>').replace(USER_INFO, '<redacted>@');
}

function asDriverError(value: unknown): DriverError | undefined {
  return typeof value === 'object' && value !== null ? (value as DriverError) : undefined;
}

/** True when the error is a duplicate key (E11000). */
export function isDuplicateKey(error: unknown): boolean {
  const driver = asDriverError(error);
  return typeof driver?.code === 'number' && DUPLICATE_KEY_CODES.has(driver.code);
}

/** The key fields of a duplicate key error (`['_id']`, `['email']`), when the server says. */
export function duplicateKeyFields(error: unknown): string[] {
  const pattern = asDriverError(error)?.keyPattern;
  return typeof pattern === 'object' && pattern !== null ? Object.keys(pattern) : [];
}

/** True when no MongoDB server answered (or it is stepping down / shutting down). */
export function isUnavailable(error: unknown): boolean {
  const driver = asDriverError(error);
  if (!driver) return false;
  if (typeof driver.name === 'string' && UNAVAILABLE_NAMES.has(driver.name)) return true;
  if (typeof driver.code === 'number' && UNAVAILABLE_CODES.has(driver.code)) return true;
  const labels = driver.errorLabelSet instanceof Set ? [...(driver.errorLabelSet as Set<unknown>)] : Array.isArray(driver.errorLabels) ? driver.errorLabels : [];
  return labels.includes('ResetPool') || labels.includes('SystemOverloadedError');
}

/** A copy of a driver error that keeps what helps an operator and drops what could leak. */
function redactedCause(error: unknown): Error {
  const driver = asDriverError(error);
  const message = typeof driver?.message === 'string' ? driver.message : String(error);
  const copy = new Error(redact(message));
  copy.name = typeof driver?.name === 'string' ? driver.name : 'Error';
  if (driver?.code !== undefined) Object.assign(copy, { code: driver.code });
  if (typeof driver?.codeName === 'string') Object.assign(copy, { codeName: driver.codeName });
  return copy;
}

function reasonOf(error: unknown): string {
  const driver = asDriverError(error);
  const code = driver?.code;
  if (code === 18) return 'MongoDB refused the credentials. Check the user, password and authSource in MONGO_URL.';
  if (code === 13) return 'the MongoDB user may not do this. Grant it readWrite on the database (and createIndex, or set createIndexes: false).';
  if (code === 85 || code === 86) return `an index of the same name exists with other keys or options (${redact(String(driver?.message ?? ''))}). Drop that index, or set createIndexes: false and manage indexes yourself.`;
  const message = typeof driver?.message === 'string' ? driver.message : String(error);
  return redact(message);
}

/**
 * Turns anything a driver call threw into the kernel's errors. StarmodelErrors and version
 * conflicts pass through unchanged.
 */
export function toStoreError(error: unknown, entity: string): Error {
  if (isStarmodelError(error) || isVersionConflict(error)) return error as Error;
  const cause = redactedCause(error);
  if (isDuplicateKey(error)) {
    const fields = duplicateKeyFields(error).map((field) => (field === '_id' ? 'id' : field));
    return new StarmodelError('SM_STORE_DUPLICATE', { entity, field: fields.length > 0 ? fields.join(' and ') : 'key' }, { cause });
  }
  if (isUnavailable(error)) return new StarmodelError('SM_STORE_UNAVAILABLE', { store: 'mongo' }, { cause });
  return new StarmodelError('SM_STORE_FAILED', { store: 'mongo', reason: reasonOf(error) }, { cause });
}

/** The 503 of a store with no server configured: nothing will change until MONGO_URL is set. */
export function notConfigured(entity: string | undefined): StarmodelError {
  const who = entity ? `"${entity}" uses it, but no` : 'No';
  return new StarmodelError('SM_STORE_NOT_CONFIGURED', { store: 'mongo', hint: `${who} MongoDB server is configured. Set MONGO_URL (for example mongodb://127.0.0.1:27017/starmodel) or the "url" option of @starmodel/mongo, then restart the app.` });
}
