/**
 * @module @starmodel/ops/metrics
 * The Prometheus metrics of one app, in a registry of its own (never prom-client's global one),
 * so two apps in one process do not clash and closing an app forgets its series.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How an event ended, as counted and logged. */
export type EventOutcome = 'ok' | 'queued' | 'rejected' | 'failed';

/** Where the gauges read their values on each scrape. */
export interface GaugeSources {
  /** Open live (SSE) streams. */
  liveStreams(): number;
  /** Job counts by state, when a jobs plugin is loaded; undefined otherwise. */
  jobCounts(): Promise<Readonly<Record<string, number>> | undefined>;
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Every series the operations plugin exports. */
export class OpsMetrics {
  readonly registry = new Registry();
  readonly events: Counter<'entity' | 'event' | 'outcome'>;
  readonly eventDuration: Histogram<'entity' | 'event' | 'outcome'>;
  readonly commitDuration: Histogram<'entity'>;
  readonly publishDuration: Histogram<'entity'>;
  readonly patchesDelivered: Counter<'entity'>;
  readonly streamsDropped: Counter;
  readonly storeErrors: Counter<'store' | 'operation'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;

  constructor(prefix: string, sources: GaugeSources, processMetrics: boolean) {
    const registers = [this.registry];
    this.events = new Counter({ name: `${prefix}events_total`, help: 'Events dispatched, by entity, event and outcome (ok, queued, rejected, failed).', labelNames: ['entity', 'event', 'outcome'], registers });
    this.eventDuration = new Histogram({ name: `${prefix}event_duration_seconds`, help: 'Time from dispatch to the end of the event (all steps committed and published).', labelNames: ['entity', 'event', 'outcome'], buckets: SECONDS, registers });
    this.commitDuration = new Histogram({ name: `${prefix}commit_duration_seconds`, help: 'Time spent in the commit hook (persisting) per successful step.', labelNames: ['entity'], buckets: SECONDS, registers });
    this.publishDuration = new Histogram({ name: `${prefix}publish_duration_seconds`, help: 'Time spent in the publish hook (local fan-out, bridges) per change.', labelNames: ['entity'], buckets: SECONDS, registers });
    this.patchesDelivered = new Counter({ name: `${prefix}patches_delivered_total`, help: 'Changes handed to local live subscribers (one per subscriber).', labelNames: ['entity'], registers });
    this.streamsDropped = new Counter({ name: `${prefix}live_streams_dropped_total`, help: 'Live streams the server cut off with data still unsent (a client that stopped reading).', registers });
    this.storeErrors = new Counter({ name: `${prefix}store_errors_total`, help: 'Store operations that failed (version conflicts excluded), by store and operation.', labelNames: ['store', 'operation'], registers });
    this.httpRequests = new Counter({ name: `${prefix}http_requests_total`, help: 'HTTP requests answered, by method, route pattern and status.', labelNames: ['method', 'route', 'status'], registers });
    new Gauge({
      name: `${prefix}live_streams`, help: 'Open live (SSE) streams.', registers,
      collect() {
        this.set(sources.liveStreams());
      },
    });
    new Gauge({
      name: `${prefix}jobs`, help: 'Background jobs by state (only when a jobs plugin is loaded).', labelNames: ['state'], registers,
      async collect() {
        this.reset();
        const counts = await sources.jobCounts();
        for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
      },
    });
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  /** Forgets every series (the app closed). */
  close(): void {
    this.registry.clear();
  }
}
