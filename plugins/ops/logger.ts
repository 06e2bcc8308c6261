/**
 * @module @starmodel/ops/logger
 * Structured logs through pino: JSON lines in production, pretty lines for people in
 * development, every line stamped with the current request id, and secrets never written.
 * `opsLogger()` also adapts pino to the kernel's `Logger`, so an app can make the kernel and every
 * plugin log through the same pino (`createApp({ logger: opsLogger() })`).
 */
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import PinoPretty from 'pino-pretty';
import { logSafe, REDACTED, SENSITIVE_NAME, redact as redactValue, scrubText, type LogLevel, type Logger } from 'starmodel';
import type { LogStream } from './options.js';
import { currentRequest } from './scope.js';

/**
 * Keys whose values are never logged, at any depth (headers included): the kernel's one list of
 * password-like names.
 */
export const SENSITIVE_KEY = SENSITIVE_NAME;

export { REDACTED, scrubText };

/**
 * A copy of a value with sensitive keys replaced and credentials in strings scrubbed: the kernel's
 * redaction, with errors serialized as pino serializes them.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, { text: true, error: (error) => pino.stdSerializers.err(error) });
}

/** How to build the pino logger. */
export interface PinoSettings {
  readonly level?: LogLevel;
  readonly format?: 'json' | 'pretty';
  /** Where lines go. @default stdout */
  readonly stream?: LogStream | undefined;
}

/** The log format the environment asks for: STARMODEL_LOG_FORMAT, else JSON when NODE_ENV is production. */
export function formatFromEnv(env: NodeJS.ProcessEnv = process.env): 'json' | 'pretty' {
  const format = env.STARMODEL_LOG_FORMAT;
  if (format === 'json' || format === 'pretty') return format;
  return env.NODE_ENV === 'production' ? 'json' : 'pretty';
}

/** Settings from the environment: STARMODEL_LOG_LEVEL (default info) and {@link formatFromEnv}. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Required<Pick<PinoSettings, 'level' | 'format'>> {
  const level = env.STARMODEL_LOG_LEVEL;
  const valid: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
  return { level: level && valid.includes(level as LogLevel) ? (level as LogLevel) : 'info', format: formatFromEnv(env) };
}

/** pino-pretty pipes into a real stream; a bare `{ write }` target is wrapped in one. */
function asWritable(target: LogStream): Writable {
  if (target instanceof Writable) return target;
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      target.write(chunk.toString());
      done();
    },
  });
}

/** A pino logger: redacting, request-id stamping, JSON or pretty, written synchronously. */
export function createPino(settings: PinoSettings = {}): PinoLogger {
  const defaults = settingsFromEnv();
  const level = settings.level ?? defaults.level;
  const format = settings.format ?? defaults.format;
  const target = settings.stream as DestinationStream | undefined;
  // Pretty printing runs in this thread (no transport worker): simpler to test, and flushed
  // before `process.exit`, which a worker thread would not be.
  const destination: DestinationStream = format === 'pretty'
    ? PinoPretty({ sync: true, colorize: !target && process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: target ? asWritable(target) : 1 })
    // JSON lines to stdout are written asynchronously (one write per turn of the event loop, not
    // one blocking write per line); pino flushes what is left when the process exits, and the
    // plugin flushes on close.
    : target ?? pino.destination({ dest: 1, sync: false });
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redact(object) as Record<string, unknown>,
      bindings: (bindings) => redact(bindings) as Record<string, unknown>,
    },
    hooks: {
      // Messages are scrubbed too: a driver error's text may carry a connection URL with its password.
      // Pretty lines are read line by line, so a message's line breaks are escaped there (JSON
      // escapes them itself).
      logMethod(args, method) {
        const clean = format === 'pretty' ? (text: string) => logSafe(scrubText(text)) : scrubText;
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? clean(arg) : arg)) as Parameters<typeof method>);
      },
    },
    mixin: () => {
      const request = currentRequest();
      return request ? { reqId: request.id } : {};
    },
  }, destination);
}

const kPino = Symbol.for('starmodel.ops.pino');

/** The kernel's `Logger` over a pino logger; `child(name)` adds `{ plugin: name }` to each line. */
export function kernelLogger(log: PinoLogger): Logger {
  const logger: Logger & { [kPino]: PinoLogger } = {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
    child: (name) => kernelLogger(log.child({ plugin: name })),
    [kPino]: log,
  };
  return logger;
}

/** The pino logger behind a kernel `Logger` made by {@link kernelLogger}, if it is one. */
export function pinoOf(logger: Logger): PinoLogger | undefined {
  return (logger as Partial<Record<typeof kPino, PinoLogger>>)[kPino];
}

/**
 * A kernel `Logger` writing through pino, configured from the environment (STARMODEL_LOG_LEVEL,
 * NODE_ENV) unless told otherwise. Pass it to `createApp({ logger })` so the kernel, every plugin
 * and the operations plugin share one structured log.
 */
export function opsLogger(settings: PinoSettings = {}): Logger {
  return kernelLogger(createPino(settings));
}
