/**
 * @module @starmodel/ops/options
 * The operations plugin's options, narrowed from the config's untyped values. Every option has an
 * environment variable or a production-safe default, so an operator rarely edits the config.
 */
import { StarmodelError, type LogLevel } from 'starmodel';
import { formatFromEnv } from './logger.js';

/** Where log lines go: anything with `write(line)`, e.g. a file stream or a spec's collector. */
export interface LogStream {
  write(line: string): unknown;
}

/** Options of `@starmodel/ops` (in starmodel.config.ts: `plugins: { '@starmodel/ops': { ... } }`). */
export interface OpsOptions {
  /** Serve `GET /metrics`. @default true */
  metrics: boolean;
  /**
   * Bearer token `/metrics` requires (`Authorization: Bearer <token>`).
   * @default process.env.STARMODEL_METRICS_TOKEN
   */
  metricsToken: string | undefined;
  /**
   * Serve `/metrics` without a token in production. Without a token and without this, the plugin
   * refuses to start in production rather than expose internals by accident. @default false
   */
  metricsPublic: boolean;
  /** Collect Node's process metrics (CPU, memory, event loop lag, GC). @default true */
  processMetrics: boolean;
  /** Prefix of every metric name. @default 'starmodel_' */
  metricsPrefix: string;
  /** Path of the liveness check. @default '/healthz' */
  healthPath: string;
  /** Path of the readiness check. @default '/readyz' */
  readyPath: string;
  /** Path of the Prometheus endpoint. @default '/metrics' */
  metricsPath: string;
  /** How long one readiness check (a store, the bus) may take before it counts as failed. @default 2000 */
  readyTimeoutMs: number;
  /** Log level. @default process.env.STARMODEL_LOG_LEVEL or 'info' */
  logLevel: LogLevel;
  /** `json` (one object per line) or `pretty` (for people). @default STARMODEL_LOG_FORMAT, else 'json' in production, else 'pretty' */
  logFormat: 'json' | 'pretty';
  /** One log line per HTTP request. @default true */
  requestLogs: boolean;
  /** One log line per event. @default true */
  eventLogs: boolean;
  /** Where log lines go instead of stdout (in-process config only). */
  logStream: LogStream | undefined;
  /**
   * On shutdown, how long `/readyz` answers 503 before anything else happens, so a load balancer
   * stops sending traffic first. @default 0
   */
  drainDelayMs: number;
  /** On shutdown, how long to wait for in-flight requests (events) to finish. @default 8000 */
  shutdownTimeoutMs: number;
  /** The `retry:` hint (milliseconds) sent to live streams before they are closed on shutdown. @default 3000 */
  reconnectRetryMs: number;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Turns the config's options into OpsOptions, refusing wrong values with the key named. */
export function parseOpsOptions(raw: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): OpsOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/ops"].${key}`, reason });
  const number = (key: string, fallback: number) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw fail(key, 'must be a non-negative number of milliseconds.');
    return value;
  };
  const flag = (key: string, fallback: boolean) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'boolean') throw fail(key, 'must be true or false.');
    return value;
  };
  const path = (key: string, fallback: string) => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'string' || !/^\/[\w\-./]*$/.test(value)) throw fail(key, 'must be a path starting with "/".');
    return value;
  };
  const token = raw.metricsToken ?? (env.STARMODEL_METRICS_TOKEN || undefined);
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) throw fail('metricsToken', 'must be a string of at least 16 characters (set STARMODEL_METRICS_TOKEN).');
  const level = raw.logLevel ?? (env.STARMODEL_LOG_LEVEL || 'info');
  if (typeof level !== 'string' || !LEVELS.includes(level as LogLevel)) throw fail('logLevel', `must be one of ${LEVELS.join(', ')} (also STARMODEL_LOG_LEVEL).`);
  const format = raw.logFormat ?? formatFromEnv(env);
  if (format !== 'json' && format !== 'pretty') throw fail('logFormat', 'must be "json" or "pretty" (also STARMODEL_LOG_FORMAT).');
  const stream = raw.logStream;
  if (stream !== undefined && (typeof stream !== 'object' || stream === null || typeof (stream as { write?: unknown }).write !== 'function')) throw fail('logStream', 'must be a stream with a write(line) method.');
  const prefix = raw.metricsPrefix ?? 'starmodel_';
  if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$/.test(prefix)) throw fail('metricsPrefix', 'must be a valid Prometheus name prefix, e.g. "starmodel_".');

  const options: OpsOptions = {
    metrics: flag('metrics', true),
    metricsToken: token,
    metricsPublic: flag('metricsPublic', false),
    processMetrics: flag('processMetrics', true),
    metricsPrefix: prefix,
    healthPath: path('healthPath', '/healthz'),
    readyPath: path('readyPath', '/readyz'),
    metricsPath: path('metricsPath', '/metrics'),
    readyTimeoutMs: number('readyTimeoutMs', 2000),
    logLevel: level as LogLevel,
    logFormat: format,
    requestLogs: flag('requestLogs', true),
    eventLogs: flag('eventLogs', true),
    logStream: stream as LogStream | undefined,
    drainDelayMs: number('drainDelayMs', 0),
    shutdownTimeoutMs: number('shutdownTimeoutMs', 8000),
    reconnectRetryMs: number('reconnectRetryMs', 3000),
  };
  if (options.metrics && !options.metricsToken && !options.metricsPublic && env.NODE_ENV === 'production') {
    throw fail('metricsToken', 'in production /metrics needs a token: set STARMODEL_METRICS_TOKEN (16+ random characters), or set metricsPublic: true if only your network can reach it, or metrics: false.');
  }
  return options;
}
