/**
 * `/metrics` over real HTTP, parsed as Prometheus text the way a scraper does: the series move
 * after real events, streams and store failures; the endpoint is protected or disabled by config
 * and refuses to start unprotected in production; two apps in one process keep their own series.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { Entity, event, MemoryStore, refuse, type EntityMeta, type SaveRequest, type StoredRecord } from '../../../kernel/index.js';
import { openLive } from '../../support/web-app.js';
import { eventually, parsePrometheus, PrivateRedis, startPrivateRedis, sampleValue, scrape, startOpsApp, type OpsApp, type Sample } from './support.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) { this.count += amount; }
  @event() fail() { throw new Error('boom'); }
  @event() refuseIt() { refuse('Not today.'); }
  @event() async *steps(n = 3) { for (let index = 0; index < n; index++) { this.count++; yield; } }
  @event() async *breakAfterOne() { this.count++; yield; throw new Error('broke mid-stream'); }
}

class Big extends Entity {
  static override scope = 'global' as const;
  blob = '';
  n = 0;
  @event() grow() { this.n++; this.blob = String(this.n).repeat(200_000); }
}

/** Keeps records in memory but writes each save through a real Redis first. */
class RedisWrittenStore extends MemoryStore {
  constructor(private readonly redis: Redis) {
    super();
  }

  override async save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord> {
    await this.redis.set(`ops-spec:${meta.name}:${request.id}`, JSON.stringify(request.state));
    return super.save(meta, request);
  }
}

class Wallet extends Entity {
  static override scope = 'global' as const;
  static override store = 'wallets';
  coins = 0;
  @event() earn() { this.coins++; }
}

const json = { Accept: 'application/json' };

describe('ops: /metrics', function () {
  describe('after real events', () => {
    let app: OpsApp;
    let samples: Sample[];
    before(async () => {
      app = await startOpsApp([Counter], {}, { koa: { keepAliveMs: 100 } });
      await app.get('/counter/increment?amount=2', json);
      await app.get('/counter/increment?amount=3', { 'Datastar-Request': 'true' }).then((response) => response.text());
      await app.get('/counter/increment?amount=abc', json);
      await app.get('/counter/refuseIt', json);
      await app.get('/counter/fail', json);
      await app.get('/counter/steps?n=3', { 'Datastar-Request': 'true' }).then((response) => response.text());
      await app.get('/counter/breakAfterOne', { 'Datastar-Request': 'true' }).then((response) => response.text());
      samples = await scrape(app);
    });
    after(() => app.close());

    it('serves Prometheus text with its content type', async () => {
      const response = await app.get('/metrics');
      expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      expect(() => parsePrometheus('bad line {')).to.throw();
      expect(samples.length).to.be.greaterThan(20);
    });

    it('counts events by entity, event and outcome: ok, rejected (400 and 422) and failed (500, and after a streamed step)', () => {
      const count = (event: string, outcome: string) => sampleValue(samples, 'starmodel_events_total', { entity: 'Counter', event, outcome });
      expect(count('increment', 'ok')).to.equal(2);
      expect(count('increment', 'rejected')).to.equal(1);
      expect(count('refuseIt', 'rejected')).to.equal(1);
      expect(count('fail', 'failed')).to.equal(1);
      expect(count('steps', 'ok')).to.equal(1);
      expect(count('breakAfterOne', 'failed')).to.equal(1);
    });

    it('has an event duration histogram, and commit and publish durations per committed step', () => {
      expect(sampleValue(samples, 'starmodel_event_duration_seconds_count', { entity: 'Counter', event: 'increment', outcome: 'ok' })).to.equal(2);
      expect(sampleValue(samples, 'starmodel_event_duration_seconds_bucket', { entity: 'Counter', event: 'increment', outcome: 'ok', le: '+Inf' })).to.equal(2);
      // increment x2, steps: 3 yields + a final step with no change, breakAfterOne: 1 step.
      expect(sampleValue(samples, 'starmodel_commit_duration_seconds_count', { entity: 'Counter' })).to.equal(6);
      expect(sampleValue(samples, 'starmodel_publish_duration_seconds_count', { entity: 'Counter' })).to.equal(6);
    });

    it('counts HTTP requests by route pattern and status', () => {
      expect(sampleValue(samples, 'starmodel_http_requests_total', { method: 'GET', route: '/counter/increment', status: '200' })).to.equal(2);
      expect(sampleValue(samples, 'starmodel_http_requests_total', { method: 'GET', route: '/counter/fail', status: '500' })).to.equal(1);
    });

    it('includes Node process metrics from its own registry', () => {
      const names = new Set(samples.map((sample) => sample.name));
      expect(names).to.include('starmodel_process_cpu_user_seconds_total');
      expect(names).to.include('starmodel_nodejs_eventloop_lag_seconds');
      expect(names).to.include('starmodel_process_resident_memory_bytes');
    });

    it('gauges open live streams and counts patches delivered to them', async () => {
      const first = await openLive(`${app.url}/counter/live`);
      const second = await openLive(`${app.url}/counter/live`);
      await first.waitFor(1);
      await second.waitFor(1);
      const before = await scrape(app);
      expect(sampleValue(before, 'starmodel_live_streams')).to.equal(2);
      await app.get('/counter/increment', json);
      await first.waitFor(2);
      const after = await scrape(app);
      expect(sampleValue(after, 'starmodel_patches_delivered_total', { entity: 'Counter' }) - sampleValue(before, 'starmodel_patches_delivered_total', { entity: 'Counter' })).to.equal(2);
      first.stop();
      second.stop();
      await eventually(async () => sampleValue(await scrape(app), 'starmodel_live_streams') === 0, 5000, 'streams gauge back to 0');
      expect(sampleValue(await scrape(app), 'starmodel_live_streams_dropped_total'), 'a client that leaves is not a drop').to.equal(0);
    });
  });

  it('counts a live stream the server drops because its client stopped reading', async () => {
    const app = await startOpsApp([Big], {}, { koa: { maxBufferedBytes: 64 * 1024 } });
    const socket = connect(Number(new URL(app.url).port), '127.0.0.1');
    try {
      socket.pause();
      socket.write('GET /big/live HTTP/1.1\r\nHost: localhost\r\nDatastar-Request: true\r\n\r\n');
      await eventually(() => app.web.live.size > 0, 5000, 'stream open');
      for (let index = 0; index < 60 && app.web.live.size > 0; index++) await app.get('/big/grow', json);
      expect(app.web.live.size).to.equal(0);
      await eventually(async () => sampleValue(await scrape(app), 'starmodel_live_streams_dropped_total') === 1, 5000, 'drop counted');
    } finally {
      socket.destroy();
      await app.close();
    }
  });

  describe('store errors', () => {
    let redis: PrivateRedis;
    let client: Redis;
    let app: OpsApp;
    before(async function () {
      redis = await startPrivateRedis(this);
      // No offline queue: with Redis gone a write fails at once instead of waiting for a reconnect.
      client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      await eventually(() => client.status === 'ready', 5000, 'redis client ready');
      app = await startOpsApp([Wallet], {}, { stores: { wallets: new RedisWrittenStore(client) } });
    });
    after(async () => {
      await app?.close();
      client?.disconnect();
      await redis?.stop();
    });

    it('counts failed store operations by store and operation, and the event as failed', async () => {
      expect((await app.get('/wallet/earn', json)).status).to.equal(200);
      await redis.stop();
      expect((await app.get('/wallet/earn', json)).status).to.equal(500);
      const samples = await scrape(app);
      expect(sampleValue(samples, 'starmodel_store_errors_total', { store: 'wallets', operation: 'save' })).to.equal(1);
      expect(sampleValue(samples, 'starmodel_events_total', { entity: 'Wallet', event: 'earn', outcome: 'ok' })).to.equal(1);
      expect(sampleValue(samples, 'starmodel_events_total', { entity: 'Wallet', event: 'earn', outcome: 'failed' })).to.equal(1);
    });
  });

  describe('protection', () => {
    it('requires the bearer token when metricsToken is set', async () => {
      const token = 'metrics-token-0123456789';
      const app = await startOpsApp([Counter], { metricsToken: token });
      try {
        const missing = await app.get('/metrics');
        expect(missing.status).to.equal(401);
        expect(missing.headers.get('www-authenticate')).to.match(/^Bearer/);
        expect(((await missing.json()) as { error: { message: string } }).error.message).to.include('STARMODEL_METRICS_TOKEN');
        expect((await app.get('/metrics', { Authorization: 'Bearer wrong-token-0123456789' })).status).to.equal(401);
        const ok = await app.get('/metrics', { Authorization: `Bearer ${token}` });
        expect(ok.status).to.equal(200);
        expect(await ok.text()).to.include('starmodel_events_total');
        expect((await app.get('/healthz')).status, 'health stays open').to.equal(200);
      } finally {
        await app.close();
      }
    });

    it('serves no /metrics with metrics: false', async () => {
      const app = await startOpsApp([Counter], { metrics: false });
      try {
        expect((await app.get('/metrics')).status).to.equal(404);
        expect((await app.get('/counter/increment', json)).status, 'events still run').to.equal(200);
      } finally {
        await app.close();
      }
    });

    it('refuses to start in production with open metrics, naming what to set, unless metricsPublic: true', async () => {
      const previous = process.env.NODE_ENV;
      const token = process.env.STARMODEL_METRICS_TOKEN;
      process.env.NODE_ENV = 'production';
      delete process.env.STARMODEL_METRICS_TOKEN;
      try {
        let failure: unknown;
        await startOpsApp([Counter]).then((app) => app.close(), (error: unknown) => { failure = error; });
        // The code is SM_CONFIG_INVALID; createApp may wrap it in SM_PLUGIN_LOAD_FAILED when the kernel is loaded twice.
        expect((failure as Error).message).to.include('plugins["@starmodel/ops"].metricsToken').and.include('STARMODEL_METRICS_TOKEN').and.include('metricsPublic');
        const open = await startOpsApp([Counter], { metricsPublic: true });
        try {
          expect((await open.get('/metrics')).status).to.equal(200);
        } finally {
          await open.close();
        }
      } finally {
        if (previous === undefined) delete process.env.NODE_ENV;
        else process.env.NODE_ENV = previous;
        if (token !== undefined) process.env.STARMODEL_METRICS_TOKEN = token;
      }
    });

    it('refuses a wrong option with the key named', async () => {
      let failure: unknown;
      await startOpsApp([Counter], { metricsToken: 'short' }).then((app) => app.close(), (error: unknown) => { failure = error; });
      expect((failure as Error).message).to.include('plugins["@starmodel/ops"].metricsToken');
    });
  });

  it('keeps two apps in one process apart (a registry each, not the global one)', async () => {
    const first = await startOpsApp([Counter]);
    const second = await startOpsApp([Counter]);
    try {
      await first.get('/counter/increment', json);
      await first.get('/counter/increment', json);
      await second.get('/counter/increment', json);
      expect(sampleValue(await scrape(first), 'starmodel_events_total', { entity: 'Counter', event: 'increment', outcome: 'ok' })).to.equal(2);
      expect(sampleValue(await scrape(second), 'starmodel_events_total', { entity: 'Counter', event: 'increment', outcome: 'ok' })).to.equal(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  describe('with the jobs plugin', () => {
    class Report extends Entity {
      static override scope = 'global' as const;
      made = 0;
      @event({ background: true }) make() { this.made++; }
    }

    it('counts a queued event as "queued" and gauges the queue depth by state', async function () {
      const jobsPlugin = fileURLToPath(new URL('../../../plugins/jobs', import.meta.url));
      let app: OpsApp;
      try {
        // worker: false keeps the job waiting, so the depth is stable when scraped.
        app = await startOpsApp([Report], {}, { config: { plugins: { [jobsPlugin]: { worker: false } } } });
      } catch (error) {
        if (process.env.CI === 'true') throw error;
        console.log(`      pending: the jobs plugin does not load yet (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
        this.skip();
      }
      try {
        const response = await app.get('/report/make', json);
        expect(response.status).to.equal(202);
        const samples = await scrape(app);
        expect(sampleValue(samples, 'starmodel_events_total', { entity: 'Report', event: 'make', outcome: 'queued' })).to.equal(1);
        expect(sampleValue(samples, 'starmodel_jobs', { state: 'waiting' })).to.equal(1);
      } finally {
        await app.close();
      }
    });
  });
});
