/**
 * @module logger
 * The small logging interface plugins receive. The default writes to the console; an operations
 * plugin may replace it with a structured logger. Whatever logger the app gives, the kernel and
 * every plugin log through {@link redactingLogger}, so a secret never reaches a log line.
 */
import { redact, scrubText } from './redact.js';

/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A logger: a message plus optional structured fields. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that prefixes every line with `name`. */
  child(name: string): Logger;
}

/**
 * A message made safe for a line-oriented log: line breaks and other control characters are
 * written as escapes, so text from a request (an error message quoting it, say) cannot end its
 * line and forge a log line of its own. The one escaper for the log context.
 */
export function logSafe(message: string): string {
  // eslint-disable-next-line no-control-regex
  return message.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/g, (char) => (char === '\n' ? '\\n' : char === '\r' ? '\\r' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** A console logger at `level` (default from STARMODEL_LOG_LEVEL, else 'info'). */
export function consoleLogger(level: LogLevel = (process.env.STARMODEL_LOG_LEVEL as LogLevel | undefined) ?? 'info', prefix = 'starmodel'): Logger {
  const threshold = ORDER.indexOf(level);
  const write = (at: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER.indexOf(at) < threshold) return;
    const line = `[${prefix}] ${logSafe(message)}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}`;
    if (at === 'error' || at === 'warn') console.error(line);
    else console.log(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (name) => consoleLogger(level, name) };
}

const kRedacting = Symbol.for('starmodel.logger.redacting');

/**
 * Wraps a logger so that every message is scrubbed of credentials and every field under a
 * password-like name (at any depth) is written as `[redacted]`: the kernel hands plugins only
 * such loggers. Own symbol-keyed properties of `inner` (a structured logger's handle) are kept.
 */
export function redactingLogger(inner: Logger): Logger {
  if ((inner as Partial<Record<typeof kRedacting, true>>)[kRedacting]) return inner;
  const clean = (fields: Record<string, unknown> | undefined) => (fields === undefined ? undefined : (redact(fields, { text: true }) as Record<string, unknown>));
  const logger: Logger = {
    debug: (message, fields) => inner.debug(scrubText(message), clean(fields)),
    info: (message, fields) => inner.info(scrubText(message), clean(fields)),
    warn: (message, fields) => inner.warn(scrubText(message), clean(fields)),
    error: (message, fields) => inner.error(scrubText(message), clean(fields)),
    child: (name) => redactingLogger(inner.child(name)),
  };
  for (const key of Object.getOwnPropertySymbols(inner)) Object.defineProperty(logger, key, { value: (inner as unknown as Record<symbol, unknown>)[key], enumerable: false });
  Object.defineProperty(logger, kRedacting, { value: true, enumerable: false });
  return logger;
}
