/**
 * @module errors
 * One registry of stable error codes. Every error StarModel raises on purpose carries a code of the
 * form `SM_<AREA>_<PROBLEM>`, an HTTP status, a message that says what to do, and `expose`, which
 * decides whether the message may reach a client. Codes are never reused for another meaning.
 */

/** What the registry knows about one code. */
export interface ErrorDefinition {
  /** HTTP status a web adapter answers with. */
  readonly status: number;
  /** Message template; `{name}` is replaced by `params.name`. Says what happened and what to do. */
  readonly message: string;
  /** Whether the message (and details) may be shown to a client. Server faults are not exposed. */
  readonly expose: boolean;
}

/** The registry of every stable error code. */
export const ERROR_CODES = {
  SM_ENTITY_UNKNOWN: { status: 404, expose: true, message: 'No entity named "{entity}" is registered. Check the URL, or add the class to `entities` in starmodel.config.ts.' },
  SM_ENTITY_INVALID: { status: 500, expose: false, message: 'Entity class {entity} is not valid: {reason}' },
  SM_ENTITY_DUPLICATE: { status: 500, expose: false, message: 'Two entity classes are named "{entity}". Entity names must be unique; rename one of the classes.' },
  SM_EVENT_UNKNOWN: { status: 404, expose: true, message: 'Entity "{entity}" has no event "{event}". Events are methods marked with @event().' },
  SM_EVENT_METHOD_NOT_ALLOWED: { status: 405, expose: true, message: 'Event "{entity}.{event}" answers {allowed}, not {method}.' },
  SM_EVENT_FAILED: { status: 500, expose: false, message: 'Event "{entity}.{event}" failed: {reason}' },
  SM_EVENT_REFUSED: { status: 422, expose: true, message: '{message}' },
  SM_VALIDATION_FAILED: { status: 400, expose: true, message: 'Some values are not valid: {summary}. Correct them and try again.' },
  SM_CONCURRENCY_CONFLICT: { status: 409, expose: true, message: '"{entity}" {id} was changed by someone else {attempts} times while this event ran. Try again.' },
  SM_RECORD_ID_MISSING: { status: 400, expose: true, message: '"{entity}" is a record entity: the request must name the record, as /{route}/<id>/<event>.' },
  SM_RECORD_NOT_FOUND: { status: 404, expose: true, message: 'There is no "{entity}" with id {id}.' },
  SM_SCOPE_NO_SESSION: { status: 400, expose: true, message: '"{entity}" is session-scoped but the request carries no session. Enable cookies, or use the web plugin which gives every browser a session.' },
  SM_SCOPE_NO_USER: { status: 401, expose: true, message: '"{entity}" belongs to a signed-in user. Sign in and try again.' },
  SM_SCOPE_NO_IDENTITY: { status: 400, expose: true, message: '"{entity}".identify() returned no id for this request.' },
  SM_STORE_UNKNOWN: { status: 500, expose: false, message: 'Entity "{entity}" uses store "{store}", but no plugin provides it. Install and enable the plugin that provides "store:{store}" (for "sql": @starmodel/knex).' },
  SM_STORE_UNAVAILABLE: { status: 503, expose: true, message: 'The "{store}" store is not answering. Try again shortly.' },
  SM_STORE_NOT_CONFIGURED: { status: 503, expose: true, message: 'The "{store}" store has no server configured. {hint}' },
  SM_STORE_FAILED: { status: 500, expose: false, message: 'The "{store}" store failed: {reason}' },
  SM_STORE_DUPLICATE: { status: 409, expose: true, message: 'A "{entity}" with the same {field} already exists.' },
  SM_AUTH_REQUIRED: { status: 401, expose: true, message: 'Sign in to {action}.' },
  SM_AUTH_FORBIDDEN: { status: 403, expose: true, message: 'Your account may not {action}: {reason}' },
  SM_AUTH_INVALID_CREDENTIALS: { status: 401, expose: true, message: 'The email or the password is wrong. Check both and try again.' },
  SM_AUTH_WRONG_PASSWORD: { status: 401, expose: true, message: 'The current password is wrong. Check it and try again.' },
  SM_AUTH_RATE_LIMITED: { status: 429, expose: true, message: 'Too many attempts. Wait {seconds} seconds, then try again.' },
  SM_AUTH_BUSY: { status: 503, expose: true, message: 'Too many sign-ins are being checked at once. Try again in a few seconds.' },
  SM_AUTH_EMAIL_TAKEN: { status: 409, expose: true, message: 'An account with this email already exists. Sign in instead, or use another email.' },
  SM_JOBS_UNAVAILABLE: { status: 503, expose: true, message: 'The job queue is not answering (Redis is unreachable). Try again shortly.' },
  SM_JOBS_NOT_FOUND: { status: 404, expose: true, message: 'There is no job {id}.' },
  SM_JOBS_NOT_RETRYABLE: { status: 409, expose: true, message: 'Job {id} is {state}; only failed jobs can be retried.' },
  SM_JOBS_SCHEDULE_INVALID: { status: 500, expose: false, message: 'Event "{entity}.{event}" has an invalid schedule "{every}": use a duration such as "5m" or a cron string.' },
  SM_CLIENT_STATE_FORGED: { status: 400, expose: true, message: 'The "{entity}" state stored in this browser {reason}, so it was refused and nothing changed. Reset it to start again from the defaults.' },
  SM_CLIENT_STATE_STALE: { status: 409, expose: true, message: 'The "{entity}" state stored in this browser is version {version}, older than version {latest} already saved. Reload the page, or reset it.' },
  SM_CLIENT_STATE_FORGOTTEN: { status: 409, expose: true, message: 'The "{entity}" state stored in this browser was signed before the server had to forget which version of it is the newest (it keeps a bounded number), so it cannot be told from an older copy sent again and was refused; nothing changed. Reset it to start again from the defaults.' },
  SM_PLUGIN_MANIFEST_INVALID: { status: 500, expose: false, message: 'Plugin {plugin} has an invalid "starmodel" field in {file}: {reason}' },
  SM_PLUGIN_NOT_FOUND: { status: 500, expose: false, message: 'Plugin {plugin} named in {source} cannot be found. Install it (npm install {plugin}) or fix the name.' },
  SM_PLUGIN_KERNEL_RANGE: { status: 500, expose: false, message: 'Plugin {plugin}@{version} needs starmodel {range}, but this is starmodel {kernel}. Upgrade or downgrade one of them so the range matches.' },
  SM_PLUGIN_REQUIRES_MISSING: { status: 500, expose: false, message: 'Plugin {plugin} requires "{requirement}", which no loaded plugin provides. Install and enable a plugin that provides "{requirement}".' },
  SM_PLUGIN_DUPLICATE_PROVIDER: { status: 500, expose: false, message: 'Plugins {first} and {second} both provide "{capability}". Disable one of them in starmodel.config.ts (plugins: { "{second}": false }).' },
  SM_PLUGIN_DUPLICATE: { status: 500, expose: false, message: 'Plugin {plugin} is installed twice, at {first} and at {second}. Run `npm dedupe` or remove one copy.' },
  SM_PLUGIN_CYCLE: { status: 500, expose: false, message: 'Plugins require each other in a cycle: {cycle}. Break the cycle by removing one "requires" entry.' },
  SM_PLUGIN_LOAD_FAILED: { status: 500, expose: false, message: 'Plugin {plugin} failed to load from {file}: {reason}' },
  SM_CONFIG_INVALID: { status: 500, expose: false, message: 'Configuration {file} is invalid at "{key}": {reason}' },
  SM_KERNEL_CLOSED: { status: 503, expose: true, message: 'The application is shutting down. Try again in a moment.' },
  SM_WEB_CROSS_SITE: { status: 403, expose: true, message: 'Events cannot be triggered from another site. Send the request from this application\'s own pages.' },
  SM_WEB_SAME_SITE: { status: 403, expose: true, message: 'Events cannot be triggered from another origin of this site (a sibling subdomain). Send the request from this application\'s own pages; if that origin is yours, list it in the allowedOrigins option of @starmodel/koa.' },
  SM_WEB_BODY_TOO_LARGE: { status: 413, expose: true, message: 'The request body is larger than {limit} bytes. Send less data.' },
  SM_WEB_BAD_BODY: { status: 400, expose: true, message: 'The request body is not valid {format}: {reason}' },
  SM_QUERY_INVALID: { status: 400, expose: true, message: 'The query on "{entity}" is not valid: {reason}' },
  SM_OPS_UNAUTHORIZED: { status: 401, expose: true, message: '{what} needs a bearer token: send "Authorization: Bearer <token>" with the token set in {env}.' },
  SM_WEB_INSECURE_REQUEST: { status: 500, expose: false, message: 'Secure cookies are on (secureCookies, the default in production) but this request came over plain HTTP. Serve the app behind TLS and set trustProxy: true on @starmodel/koa, or set secureCookies: false.' },
  SM_WEB_BAD_REQUEST: { status: 400, expose: true, message: 'The request could not be read as HTTP.' },
  SM_WEB_HEADERS_TOO_LARGE: { status: 431, expose: true, message: 'The URL and headers are larger than the server accepts (16 KiB). Send a shorter URL or fewer cookies; with Datastar, keep large values out of signals.' },
  SM_WEB_REQUEST_TIMEOUT: { status: 408, expose: true, message: 'The request took too long to arrive. Send it again.' },
  SM_SSE_FIELD_INVALID: { status: 500, expose: false, message: 'The SSE {field} field cannot hold {reason}. Pass a single-line value (event names and ids are chosen by the server, never by users).' },
  SM_WEB_NOT_FOUND: { status: 404, expose: true, message: 'Nothing is served at {path}.' },
  SM_FORM_INVALID: { status: 500, expose: false, message: 'The form for {form} cannot be built: {reason}' },
  SM_FEEDBACK_INVALID: { status: 500, expose: false, message: '{helper} was called with {value}: {reason}' },
} as const satisfies Record<string, ErrorDefinition>;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Per-field messages of a validation error, keyed by field or argument name. */
export type FieldErrors = Record<string, string>;

/** The JSON shape of an error as it reaches a client. */
export interface ErrorBody {
  error: { code: ErrorCode; status: number; message: string; fields?: FieldErrors };
}

function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

/**
 * The one error class of StarModel. Create it with the code and the template's parameters:
 * `new StarmodelError('SM_EVENT_UNKNOWN', { entity: 'Counter', event: 'nope' })`.
 */
export class StarmodelError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  /** Per-field messages, for validation errors. */
  readonly fields: FieldErrors | undefined;

  constructor(code: ErrorCode, params: Record<string, unknown> = {}, options: { fields?: FieldErrors; cause?: unknown } = {}) {
    const definition: ErrorDefinition = ERROR_CODES[code];
    super(fill(definition.message, params), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StarmodelError';
    this.code = code;
    this.status = definition.status;
    this.expose = definition.expose;
    this.fields = options.fields;
  }

  /** The body a client may see: exposed errors keep their message, others get a generic one. */
  toJSON(): ErrorBody {
    const message = this.expose ? this.message : 'Something went wrong on the server. It has been logged.';
    return { error: { code: this.code, status: this.status, message, ...(this.expose && this.fields ? { fields: this.fields } : {}) } };
  }
}

/** True when `value` is a StarmodelError (or carries the same shape from another copy of the kernel). */
export function isStarmodelError(value: unknown): value is StarmodelError {
  if (value instanceof StarmodelError) return true;
  const shape = value as { code?: unknown; status?: unknown } | null;
  return value instanceof Error && typeof shape?.code === 'string' && shape.code.startsWith('SM_') && typeof shape.status === 'number';
}

/** Wraps anything thrown into a StarmodelError, keeping StarmodelErrors as they are. */
export function toStarmodelError(thrown: unknown, fallback: ErrorCode, params: Record<string, unknown>): StarmodelError {
  if (thrown instanceof StarmodelError) return thrown;
  const reason = thrown instanceof Error ? thrown.message : String(thrown);
  return new StarmodelError(fallback, { ...params, reason }, { cause: thrown });
}

/**
 * Refuses an event from inside its method with a message the user sees (422), optionally per field.
 * Nothing the event changed is saved.
 * @example if (this.stock + delta < 0) refuse('Stock cannot go below zero.', { delta: 'Too large a decrease' });
 */
export function refuse(message: string, fields?: FieldErrors): never {
  throw new StarmodelError('SM_EVENT_REFUSED', { message }, fields ? { fields } : {});
}
