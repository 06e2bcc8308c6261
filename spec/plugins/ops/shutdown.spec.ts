/**
 * Graceful shutdown of a real server process: SIGTERM during a burst of events, with a live
 * stream open and a slow event in flight. Every event the server acknowledged is committed, the
 * slow event finishes, streams end cleanly, and the process exits 0 within its 10 s limit.
 */
import { expect } from 'chai';
import { startServer, type ServerProcess } from '../../support/sandbox-process.js';
import { parseSse, signalsOf } from '../../support/web-app.js';
import { eventually } from './support.js';

/** A live stream read to its end, as raw SSE text. */
function readStream(url: string): { text(): string; ended: Promise<'ended' | 'error'> } {
  let text = '';
  const ended = (async (): Promise<'ended' | 'error'> => {
    try {
      const response = await fetch(url, { headers: { 'Datastar-Request': 'true' } });
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += Buffer.from(chunk).toString();
      return 'ended';
    } catch {
      return 'error';
    }
  })();
  return { text: () => text, ended };
}

/** The outcome of one increment: its count when acknowledged, else how it was refused. */
type Attempt = { acknowledged: true; count: number } | { acknowledged: false; status: number | 'connection closed' };

async function increment(url: string): Promise<Attempt> {
  try {
    const response = await fetch(`${url}/counter/increment`, { headers: { Accept: 'application/json' } });
    if (response.status !== 200) {
      await response.body?.cancel();
      return { acknowledged: false, status: response.status };
    }
    const body = (await response.json()) as { entity: { signals: { count: number } } };
    return { acknowledged: true, count: body.entity.signals.count };
  } catch {
    return { acknowledged: false, status: 'connection closed' };
  }
}

const exitOf = (server: ServerProcess, timeoutMs: number) => new Promise<{ code: number | null; ms: number }>((resolve, reject) => {
  const start = Date.now();
  if (server.child.exitCode !== null) return resolve({ code: server.child.exitCode, ms: 0 });
  const timer = setTimeout(() => reject(new Error(`did not exit within ${timeoutMs} ms:\n${server.output()}`)), timeoutMs);
  server.child.once('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, ms: Date.now() - start });
  });
});

/** Fires increments one after another every few ms until `until` settles; returns them all. */
async function burst(url: string, until: Promise<unknown>): Promise<Attempt[]> {
  const attempts: Promise<Attempt>[] = [];
  let done = false;
  void until.finally(() => { done = true; });
  for (let index = 0; index < 400 && !done; index++) {
    attempts.push(increment(url));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Promise.all(attempts);
}

function checkAcknowledged(attempts: Attempt[]): number[] {
  const counts = attempts.flatMap((attempt) => (attempt.acknowledged ? [attempt.count] : []));
  // Each acknowledged increment committed its own version: the counts are exactly 1..n.
  expect([...counts].sort((a, b) => a - b)).to.deep.equal(counts.map((_, index) => index + 1));
  for (const attempt of attempts) if (!attempt.acknowledged) expect([503, 'connection closed']).to.include(attempt.status);
  return counts;
}

describe('ops: graceful shutdown of a server process', function () {
  this.timeout(60_000);

  it('sandbox/server.ts: the slow event in flight finishes, the live stream ends, acknowledged events are committed, exit 0', async () => {
    const server = await startServer('sandbox/server.ts');
    try {
      const live = readStream(`${server.url}/counter/live`);
      await eventually(() => live.text().includes('datastar-merge-signals'), 10_000, 'live stream open');
      const slow = fetch(`${server.url}/dashboard/run?steps=10`, { headers: { Accept: 'application/json' } });
      const stopping = new Promise<void>((resolve) => setTimeout(resolve, 300)).then(() => server.child.kill('SIGTERM'));
      const exited = stopping.then(() => exitOf(server, 12_000));
      const attempts = await burst(server.url, exited);
      const slowResponse = await slow;
      expect(slowResponse.status, 'the event in flight was answered').to.equal(200);
      expect(((await slowResponse.json()) as { entity: { signals: { progress: number; status: string } } }).entity.signals).to.include({ progress: 100, status: 'done' });
      expect(await live.ended, 'the stream ended, not cut').to.equal('ended');
      const counts = checkAcknowledged(attempts);
      expect(counts.length, 'some increments were acknowledged before the signal').to.be.greaterThan(0);
      const { code } = await exited;
      expect(code).to.equal(0);
      expect(server.output()).to.include('SIGTERM: shutting down');
    } finally {
      await server.stop();
    }
  });

  it('with @starmodel/ops: not ready at once, streams told to retry later and ended after every acknowledged event reached them, JSON logs, exit 0', async () => {
    const server = await startServer('spec/plugins/ops/fixtures/ops-server.ts', { STARMODEL_LOG_FORMAT: 'json', STARMODEL_METRICS_TOKEN: 'spec-metrics-token-0123456789', OPS_DRAIN_DELAY_MS: '300' });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).to.equal(200);
      const live = readStream(`${server.url}/counter/live`);
      await eventually(() => live.text().includes('datastar-merge-signals'), 10_000, 'live stream open');
      const slow = fetch(`${server.url}/dashboard/run?steps=10`, { headers: { Accept: 'application/json' } });
      const stopping = new Promise<void>((resolve) => setTimeout(resolve, 300)).then(() => server.child.kill('SIGTERM'));
      const exited = stopping.then(() => exitOf(server, 12_000));
      const readiness = stopping.then(async () => {
        for (let index = 0; index < 40; index++) {
          const response = await fetch(`${server.url}/readyz`).catch(() => undefined);
          if (response?.status === 503) return (await response.json()) as { status: string };
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return undefined;
      });
      const attempts = await burst(server.url, exited);
      expect((await slow).status, 'the event in flight was answered').to.equal(200);
      expect((await readiness)?.status, 'readyz answered 503 "draining" during the shutdown').to.equal('draining');
      expect(await live.ended).to.equal('ended');
      expect(live.text()).to.include('retry: 3000\n\n');
      const counts = checkAcknowledged(attempts);
      const lastState = parseSse(live.text()).filter((event) => event.event === 'datastar-merge-signals').map(signalsOf).at(-1) as { Counter?: { count?: number } } | undefined;
      expect(lastState?.Counter?.count, 'the stream saw every acknowledged increment before it ended').to.equal(counts.length);
      const { code } = await exited;
      expect(code).to.equal(0);
      const lines = server.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.some((line) => line.msg === 'shutting down: reporting not ready')).to.equal(true);
      expect(lines.find((line) => line.msg === 'shutting down: in-flight requests finished')).to.include({ streamsToldToRetry: 1 });
      expect(lines.some((line) => line.msg === 'GET /dashboard/run 200' || (line.path === '/dashboard/run' && line.status === 200))).to.equal(true);
    } finally {
      await server.stop();
    }
  });
});
