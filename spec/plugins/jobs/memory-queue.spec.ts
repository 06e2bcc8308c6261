/**
 * @starmodel/jobs on the in-process queue: background events answer 202 at once, run later
 * through the normal path (their changes reach live subscribers, progress in order), at most
 * `concurrency` at a time, with retries, a failed list, schedules and a graceful shutdown.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { consoleLogger, Entity, event, StarmodelError } from '../../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js';
import jobsPlugin from '../../../plugins/jobs/index.js';
import type { JobsService } from '../../../plugins/jobs/index.js';
import { openLive, parseSse, signalsOf, startWebApp, type WebApp } from '../../support/web-app.js';
import { Batch, Flaky, Gate, Heartbeat, Slow, Task, Thumbnail, world } from './entities.js';

const jobsDir = fileURLToPath(new URL('../../../plugins/jobs', import.meta.url));
const silent = consoleLogger('silent');

/** Polls `check` until it returns true (bounded), for work that finishes in the background. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function serviceOf(test: TestKernel | WebApp): JobsService {
  const kernel = 'kernel' in test ? test.kernel : test.app.kernel;
  const service = kernel.service('jobs');
  if (!service) throw new Error('the jobs plugin did not provide its service');
  return service;
}

describe('@starmodel/jobs, in-process queue', function () {
  beforeEach(() => world.reset());

  describe('over HTTP', function () {
    let web: WebApp;
    before(async () => {
      web = await startWebApp([Thumbnail], {}, { plugins: { [jobsDir]: { redis: false, concurrency: 1 } } });
    });
    after(() => web.close());
    const json = { Accept: 'application/json', 'Content-Type': 'application/json' };

    it('answers 202 with a job id before the work runs, and the final change reaches a live subscriber', async () => {
      world.gate = new Gate();
      const live = await openLive(`${web.url}/thumbnail/live`);
      try {
        await live.waitFor(1);
        const response = await fetch(`${web.url}/thumbnail/resize`, { method: 'POST', headers: json, body: JSON.stringify({ width: 320 }) });
        expect(response.status).to.equal(202);
        const body = (await response.json()) as { accepted: boolean; by: string; jobId: string; state: string };
        expect(body).to.include({ accepted: true, by: '@starmodel/jobs', state: 'queued' });
        expect(body.jobId).to.be.a('string').and.not.equal('');
        // The answer came while the work was still held at the gate: nothing changed yet.
        expect(live.events).to.have.length(1);
        world.gate.open();
        const events = await live.waitFor(5);
        const patches = events.slice(1, 5).map((sse) => signalsOf(sse).Thumbnail as Record<string, unknown>);
        expect(patches.map((patch) => patch.progress)).to.deep.equal([0.25, 0.5, 0.75, 1]);
        await live.waitFor(6);
        expect(signalsOf(live.events[5]!).Thumbnail).to.deep.equal({ width: 320, stage: 'done' });
        const job = await serviceOf(web).get(body.jobId);
        expect(job).to.deep.include({ state: 'completed', attempts: 1 });
        expect(job?.progress).to.deep.equal({ fraction: 1, message: 'encoding' });
      } finally {
        live.stop();
      }
    });

    it('reports the queued job on the event\'s own SSE response', async () => {
      const response = await fetch(`${web.url}/thumbnail/resize`, { method: 'POST', headers: { 'Datastar-Request': 'true', 'Content-Type': 'application/json' }, body: JSON.stringify({ width: 64 }) });
      expect(response.status).to.equal(200);
      const signals = parseSse(await response.text()).map(signalsOf);
      const queued = signals.find((item) => item.sm)?.sm as { queued: { by: string; jobId: string; state: string } };
      expect(queued.queued).to.include({ by: '@starmodel/jobs', state: 'queued' });
      await eventually(async () => (await serviceOf(web).get(queued.queued.jobId))?.state === 'completed', 'the job to complete');
    });

    it('refuses bad arguments with 400 when queueing, and queues nothing', async () => {
      const before = await serviceOf(web).counts();
      const response = await fetch(`${web.url}/thumbnail/resize`, { method: 'POST', headers: json, body: JSON.stringify({ width: 'huge' }) });
      expect(response.status).to.equal(400);
      const body = (await response.json()) as { error: { code: string; fields: Record<string, string> } };
      expect(body.error.code).to.equal('SM_VALIDATION_FAILED');
      expect(body.error.fields).to.have.property('width');
      expect(await serviceOf(web).counts()).to.deep.equal(before);
      expect(world.runs).to.have.length(0);
    });
  });

  describe('in a test kernel', function () {
    let test: TestKernel | undefined;
    afterEach(async () => {
      world.gate?.open();
      await test?.close();
      test = undefined;
    });
    const start = async (entities: (typeof Entity)[], options: Record<string, unknown> = {}) => {
      test = await createTestKernel({ entities: entities as never[], logger: silent, plugins: { '@starmodel/jobs': jobsPlugin({ redis: false, ...options }) } });
      return test;
    };

    it('runs at most `concurrency` jobs at once, and runs them all', async () => {
      const { client } = await start([Slow], { concurrency: 2 });
      const clients = Array.from({ length: 5 }, () => client());
      for (const one of clients) expect((await one.call(Slow, 'work')).takenOver?.status).to.equal(202);
      await eventually(async () => (await serviceOf(test!).counts()).completed === 5, 'five completed jobs');
      expect(world.maxRunning).to.equal(2);
      for (const one of clients) expect(await one.signals(Slow)).to.include({ done: true });
    });

    it('keeps a session-scoped event with the session that queued it', async () => {
      const { client } = await start([Slow]);
      const alice = client();
      const bob = client();
      await alice.call(Slow, 'work');
      await eventually(async () => (await alice.signals(Slow)).done === true, "alice's work");
      expect(await bob.signals(Slow)).to.include({ done: false });
    });

    it('retries a failing job with backoff, marks it failed after the last attempt, and retries it on request', async () => {
      const { client } = await start([Flaky], { attempts: 3, backoffMs: 20 });
      world.failuresLeft = 3;
      const queued = await client().call(Flaky, 'work');
      const jobId = String(queued.takenOver?.info?.jobId);
      const jobs = serviceOf(test!);
      await eventually(async () => (await jobs.counts()).failed === 1, 'the failed job');
      expect(world.runs.map((run) => run.attempt)).to.deep.equal([1, 2, 3]);
      const [first, second, third] = world.runs.map((run) => run.at) as [number, number, number];
      expect(second - first).to.be.at.least(20);
      expect(third - second).to.be.at.least(40);
      const [failed] = await jobs.list('failed');
      expect(failed).to.deep.include({ id: jobId, state: 'failed', attempts: 3, maxAttempts: 3, failedReason: 'Event "Flaky.work" failed: the printer is on fire' });
      expect(failed?.data).to.include({ entity: 'Flaky', event: 'work' });
      await jobs.retry(jobId);
      await eventually(async () => (await jobs.get(jobId))?.state === 'completed', 'the retried job');
      expect(await client().signals(Flaky)).to.include({ succeeded: 1 });
      let refusal: unknown;
      await jobs.retry(jobId).catch((error: unknown) => { refusal = error; });
      expect(refusal).to.be.instanceOf(StarmodelError).with.property('status', 422);
    });

    it('does not retry an event that refuses (a client error): it fails at once', async () => {
      const { client } = await start([Flaky], { attempts: 5, backoffMs: 1 });
      await client().call(Flaky, 'work', true);
      await eventually(async () => (await serviceOf(test!).counts()).failed === 1, 'the failed job');
      expect(world.runs).to.have.length(1);
      expect((await serviceOf(test!).list('failed'))[0]?.failedReason).to.equal('This report cannot be built.');
    });

    it('refuses a record event on a record that does not exist, and queues nothing', async () => {
      const { client } = await start([Task]);
      let refusal: unknown;
      await client().kernel.dispatch({ entity: Task, event: 'run', id: 'nope' }).catch((error: unknown) => { refusal = error; });
      expect(refusal).to.be.instanceOf(StarmodelError).with.property('code', 'SM_RECORD_NOT_FOUND');
      expect((await serviceOf(test!).counts()).waiting).to.equal(0);
    });

    it('queues a job from inside an event once its change is saved (laterOn), and not when the event fails', async () => {
      const { kernel, client } = await start([Task]);
      const created = await client().send(Task, 'start', { body: { title: 'quarterly' } });
      await eventually(async () => (await kernel.load(Task, {}, created.id)).status === 'done', 'the task to run');
      expect((await kernel.load(Task, {}, created.id)).progress).to.equal(1);
      let failure: unknown;
      await client().send(Task, 'start', { body: { title: 'broken', fail: true } }).catch((error: unknown) => { failure = error; });
      expect(failure).to.be.instanceOf(StarmodelError);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(world.runs.filter((run) => run.event === 'run')).to.have.length(1);
    });

    it('queues from server code through the service, validating arguments first', async () => {
      const { client } = await start([Thumbnail]);
      const jobs = serviceOf(test!);
      let refusal: unknown;
      await jobs.enqueue({ entity: 'Thumbnail', event: 'resize', args: { width: 1 } }).catch((error: unknown) => { refusal = error; });
      expect(refusal).to.be.instanceOf(StarmodelError).with.property('status', 400);
      const job = await jobs.enqueue({ entity: 'Thumbnail', event: 'resize', args: { width: 100 } });
      await eventually(async () => (await jobs.get(job.id))?.state === 'completed', 'the job');
      expect(await client().signals(Thumbnail)).to.include({ width: 100, stage: 'done' });
    });

    it('runs a repeating event on its schedule, as a job', async () => {
      const { client } = await start([Heartbeat]);
      expect(serviceOf(test!).schedules()).to.deep.equal([{ id: 'Heartbeat.beat', entity: 'Heartbeat', event: 'beat', every: '250ms' }]);
      await eventually(() => world.runs.length >= 2, 'two beats');
      expect(world.runs.every((run) => run.schedule === 'Heartbeat.beat' && run.jobId !== undefined)).to.equal(true);
      expect((await client().signals(Heartbeat)).beats).to.be.at.least(2);
    });

    it('refuses a schedule it cannot run, at startup, saying why', async () => {
      class Nightly extends Entity {
        n = 0;
        @event({ every: '5m' }) tidy() { this.n++; }
      }
      class Typo extends Entity {
        static override scope = 'global' as const;
        n = 0;
        @event({ every: 'every five minutes' }) tidy() { this.n++; }
      }
      for (const [cls, reason] of [[Nightly, /session-scoped/], [Typo, /neither an interval/]] as const) {
        let refusal: unknown;
        await createTestKernel({ entities: [cls], logger: silent, plugins: { '@starmodel/jobs': jobsPlugin({ redis: false }) } }).catch((error: unknown) => { refusal = error; });
        expect(refusal).to.be.instanceOf(StarmodelError).with.property('code', 'SM_ENTITY_INVALID');
        expect((refusal as Error).message).to.match(reason);
      }
    });

    it('on shutdown lets the running job finish and starts no other', async () => {
      const { client } = await start([Batch], { concurrency: 1 });
      world.gate = new Gate();
      for (const n of [1, 2, 3]) await client().call(Batch, 'step', n);
      await eventually(() => world.runs.length === 1, 'the first job to start');
      const closing = test!.close();
      world.gate.open();
      await closing;
      test = undefined;
      expect(world.runs.map((run) => run.event)).to.deep.equal(['step1']);
    });

    it('on shutdown stops waiting for a job that outlives the timeout', async () => {
      const { client } = await start([Batch], { shutdownTimeoutMs: 50 });
      world.gate = new Gate();
      await client().call(Batch, 'step', 1);
      await eventually(() => world.runs.length === 1, 'the job to start');
      await test!.close();
      test = undefined;
    });
  });
});
