/**
 * @module @starmodel/ops
 * Operations for a StarModel app: `GET /healthz` (alive), `GET /readyz` (stores and bus answer),
 * `GET /metrics` (Prometheus, through prom-client), structured request and event logs through
 * pino (secrets redacted), and a graceful drain on shutdown.
 *
 * ```ts
 * // starmodel.config.ts
 * export default defineConfig({ plugins: { '@starmodel/ops': { metricsToken: process.env.STARMODEL_METRICS_TOKEN } } });
 * ```
 */
import type { Logger as PinoLogger } from 'pino';
import type { Registry } from 'prom-client';
import { StarmodelError, type Kernel, type PluginApi, type StarmodelPlugin } from 'starmodel';
import { EventTracker } from './events.js';
import { ReadinessProbe, type Readiness, type ReadinessCheck } from './health.js';
import { LiveStreams } from './live-streams.js';
import { createPino, pinoOf } from './logger.js';
import { OpsMetrics } from './metrics.js';
import { parseOpsOptions, type OpsOptions } from './options.js';
import { EventRoutes, InFlight, requestMiddleware } from './requests.js';
import { addOpsRoutes } from './routes.js';
import { drain } from './shutdown.js';
import { instrumentStores } from './stores.js';

export type { OpsOptions, LogStream } from './options.js';
export type { Readiness, ReadinessCheck, PartStatus } from './health.js';
export type { EventOutcome } from './metrics.js';
export type { PingableStore } from './stores.js';
export { opsLogger, kernelLogger, createPino, redact, scrubText, REDACTED } from './logger.js';
export { requestIdFor } from './requests.js';

/** What the operations plugin offers other plugins (`kernel.service('ops')`). */
export interface OpsService {
  /** Adds a named readiness check (e.g. `bus:redis` from a bridge, `jobs` from a queue). */
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  /** Runs every readiness check now. */
  readiness(): Promise<Readiness>;
  /** The app's metrics registry, for a plugin's own series; undefined when metrics are off. */
  readonly registry: Registry | undefined;
  /** The structured logger. */
  readonly log: PinoLogger;
}

declare module 'starmodel' {
  interface Services {
    ops: OpsService;
  }
}

/** What a jobs plugin's service offers for the queue-depth gauge (optional; duck-typed). */
interface JobCountsSource {
  counts(): Promise<Readonly<Record<string, number>>> | Readonly<Record<string, number>>;
}

/** A service that may or may not be provided, looked up by a name no type declares here. */
function optionalService(kernel: Kernel, name: string): unknown {
  return (kernel.service as unknown as (name: string) => unknown).call(kernel, name);
}

async function jobCounts(kernel: Kernel): Promise<Readonly<Record<string, number>> | undefined> {
  const jobs = optionalService(kernel, 'jobs') as Partial<JobCountsSource> | undefined;
  if (typeof jobs?.counts !== 'function') return undefined;
  const counts = await jobs.counts();
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => typeof count === 'number' && Number.isFinite(count)));
}

/** What a bus bridge's service offers for readiness (the Redis plugin's `ping()`; duck-typed). */
interface BridgeHealthSource {
  readonly configured: boolean;
  ping(): Promise<{ readonly ok: boolean; readonly message?: string }>;
}

/** When changes travel between instances through Redis, the bus is only ready when Redis answers. */
function addBridgeCheck(kernel: Kernel, readiness: ReadinessProbe): void {
  const redis = optionalService(kernel, 'redis') as Partial<BridgeHealthSource> | undefined;
  if (!redis?.configured || typeof redis.ping !== 'function') return;
  const ping = redis.ping.bind(redis);
  readiness.add('bus:redis', async () => {
    const health = await ping();
    if (!health.ok) throw new Error(health.message ?? 'Redis does not answer');
  });
}

/** Wires the operations plugin into an app. */
export function installOps(api: PluginApi, options: OpsOptions): OpsService {
  const { kernel, hooks } = api;
  const log = options.logStream ? createPino({ level: options.logLevel, format: options.logFormat, stream: options.logStream }) : pinoOf(api.log) ?? createPino({ level: options.logLevel, format: options.logFormat });
  const streams = new LiveStreams();
  const metrics = options.metrics
    ? new OpsMetrics(options.metricsPrefix, { liveStreams: () => kernel.service('web')?.live.size ?? streams.size, jobCounts: () => jobCounts(kernel) }, options.processMetrics)
    : undefined;
  const readiness = new ReadinessProbe(kernel, options.readyTimeoutMs);
  const events = new EventTracker(kernel, metrics, log, options.eventLogs);
  const routes = new EventRoutes();
  const inFlight = new InFlight();
  events.install();
  hooks.entity.tap((meta) => routes.add(meta));

  // The web plugin is set up before this one (the manifest requires "web"): its request
  // middleware goes in now, before the server can take a request.
  const web = kernel.service('web');
  if (!web) throw new StarmodelError('SM_PLUGIN_REQUIRES_MISSING', { plugin: api.name, requirement: 'web' });
  for (const meta of kernel.registry.all()) routes.add(meta);
  const quietPaths = new Set([options.healthPath, options.readyPath, options.metricsPath]);
  web.use(requestMiddleware({ log, metrics, events, streams, logRequests: options.requestLogs, quietPaths, draining: () => readiness.draining }, routes, inFlight));
  addOpsRoutes(web, options, readiness, metrics);
  // By the ready hook every plugin's setup has provided its stores and services.
  hooks.ready.tap(() => {
    if (metrics) instrumentStores(api, metrics);
    addBridgeCheck(kernel, readiness);
  });

  hooks.close.tap(async () => {
    await drain({ options, readiness, streams, inFlight, log });
    events.uninstall();
    log.flush();
  });

  const service: OpsService = {
    addReadinessCheck: (name, check) => readiness.add(name, check),
    readiness: () => readiness.check(),
    registry: metrics?.registry,
    log,
  };
  api.provide('ops', service);
  return service;
}

/** Creates the operations plugin from its config options. */
export default function opsPlugin(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const parsed = parseOpsOptions(options);
  return {
    setup(api) {
      installOps(api, parsed);
    },
  };
}
