/**
 * @module @starmodel/ops/shutdown
 * What the operations plugin does when the app closes. Its close tap runs before the web
 * plugin's (close taps run last-registered first, and this plugin requires the web), so it can:
 * report not-ready at once (load balancers stop sending traffic), wait `drainDelayMs`, tell every
 * live stream to reconnect later (`retry:`), and wait for in-flight requests (events) to finish.
 * Then the web plugin ends the streams and closes the server, and the kernel closes the stores.
 */
import type { Logger as PinoLogger } from 'pino';
import type { ReadinessProbe } from './health.js';
import type { LiveStreams } from './live-streams.js';
import type { OpsOptions } from './options.js';
import type { InFlight } from './requests.js';

/** What the shutdown step needs. */
export interface ShutdownDeps {
  readonly options: Pick<OpsOptions, 'drainDelayMs' | 'shutdownTimeoutMs' | 'reconnectRetryMs'>;
  readonly readiness: ReadinessProbe;
  readonly streams: LiveStreams;
  readonly inFlight: InFlight;
  readonly log: PinoLogger;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Drains the app: not ready, streams told to retry, in-flight requests finished (bounded). */
export async function drain(deps: ShutdownDeps): Promise<void> {
  const { options, readiness, streams, inFlight, log } = deps;
  const start = Date.now();
  readiness.drain();
  log.info({ inFlight: inFlight.count, streams: streams.size }, 'shutting down: reporting not ready');
  if (options.drainDelayMs > 0) await pause(options.drainDelayMs);
  const told = streams.hintRetry(options.reconnectRetryMs);
  const settled = await inFlight.settled(options.shutdownTimeoutMs);
  const fields = { streamsToldToRetry: told, retryMs: options.reconnectRetryMs, ms: Date.now() - start };
  if (settled) log.info(fields, 'shutting down: in-flight requests finished');
  else log.warn({ ...fields, stillInFlight: inFlight.count }, `shutting down: ${inFlight.count} request(s) still running after ${options.shutdownTimeoutMs} ms; closing anyway`);
}
