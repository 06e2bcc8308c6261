/**
 * @starmodel/jobs on BullMQ against the real Redis (127.0.0.1:6379 or REDIS_URL), under a key
 * prefix unique to this run: jobs survive the death of the process that queued them, retry with
 * backoff and end failed, run once with two workers, schedules tick once across two instances,
 * and a shutdown leaves unstarted jobs queued. Pending when Redis is absent; failing under CI=true.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { consoleLogger, Entity, event, StarmodelError, typeTopic, type Change, type EntityClass } from '../../../kernel/index.js';
import { createTestKernel, serviceUrl, type TestKernel } from '../../../kernel/testing/index.js';
import jobsPlugin, { type JobsService } from '../../../plugins/jobs/index.js';
import { Batch, Flaky, Gate, Heartbeat, Slow, Thumbnail, world } from './entities.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const silent = consoleLogger('silent');

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const jobsOf = (test: TestKernel): JobsService => test.kernel.service('jobs')!;

/** A child process running the fixture; resolves once it printed a line matching `ready`. */
function startFixture(env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'spec/plugins/jobs/fixtures/job-process.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the fixture did not get ready:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(ready);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        child, match,
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the fixture exited with ${code}:\n${output}`));
    });
  });
}

describe('@starmodel/jobs, BullMQ queue on Redis', function () {
  this.timeout(60_000);
  let url: string;
  let redis: Redis;
  const prefix = `smjobs-${process.pid}-${Date.now()}`;
  const kernels: TestKernel[] = [];
  let queueNumber = 0;
  let queue = '';

  before(async function () {
    const found = await serviceUrl(this, { env: 'REDIS_URL', fallback: 'redis://127.0.0.1:6379', what: 'Redis' });
    if (!found) return;
    url = found;
    redis = new Redis(url);
  });
  beforeEach(() => {
    world.reset();
    queue = `q${++queueNumber}`;
  });
  afterEach(async () => {
    world.gate?.open();
    for (const test of kernels.splice(0)) await test.close();
  });
  after(async () => {
    if (!redis) return;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });

  /** A started kernel on this test's queue; closed after the test unless the test closes it. */
  async function kernelWith(entities: EntityClass[], options: Record<string, unknown> = {}): Promise<TestKernel> {
    const test = await createTestKernel({ entities, logger: silent, plugins: { '@starmodel/jobs': jobsPlugin({ redis: url, prefix, queue, ...options }) } });
    kernels.push(test);
    return test;
  }
  async function closeKernel(test: TestKernel): Promise<void> {
    kernels.splice(kernels.indexOf(test), 1);
    await test.close();
  }

  it('queues with 202, runs the event on a worker, and publishes its changes to subscribers', async () => {
    const test = await kernelWith([Thumbnail]);
    const client = test.client();
    const watched = client.watch(Thumbnail);
    const result = await client.send(Thumbnail, 'resize', { body: { width: 128 } });
    expect(result.takenOver).to.deep.include({ by: '@starmodel/jobs', status: 202 });
    const jobId = String(result.takenOver?.info?.jobId);
    await eventually(() => watched.changes.length === 5, 'five published changes');
    watched.stop();
    expect(watched.changes.map((change) => change.patch.progress).slice(0, 4)).to.deep.equal([0.25, 0.5, 0.75, 1]);
    expect(watched.changes[4]?.patch).to.deep.equal({ width: 128, stage: 'done' });
    await eventually(async () => (await jobsOf(test).get(jobId))?.state === 'completed', 'the completed state');
    const job = await jobsOf(test).get(jobId);
    expect(job).to.deep.include({ state: 'completed', progress: { fraction: 1, message: 'encoding' } });
    expect(jobsOf(test).backend).to.equal('bullmq');
  });

  it('runs a job queued by a process that was killed, in a process started afterwards', async () => {
    const env = { REDIS_URL: url, JOBS_PREFIX: prefix, STARMODEL_LOG_LEVEL: 'error' };
    const producer = await startFixture({ ...env, JOBS_MODE: 'enqueue', JOBS_LABEL: 'survivor' }, /queued (\S+)/);
    const jobId = producer.match[1]!;
    producer.child.kill('SIGKILL');
    await new Promise((resolve) => producer.child.once('exit', resolve));
    expect(await redis.llen(`${prefix}:log`)).to.equal(0);
    const worker = await startFixture({ ...env, JOBS_MODE: 'work' }, /working/);
    try {
      await eventually(async () => (await redis.llen(`${prefix}:log`)) > 0, 'the job to run in the new process', 20_000);
      const runs = (await redis.lrange(`${prefix}:log`, 0, -1)).map((line) => JSON.parse(line) as { label: string; jobId: string; pid: number });
      expect(runs).to.have.length(1);
      expect(runs[0]).to.include({ label: 'survivor', jobId, pid: worker.child.pid });
    } finally {
      await worker.stop();
    }
  });

  it('retries a failing job with exponential backoff, then marks it failed; a retry on request runs it again', async () => {
    const test = await kernelWith([Flaky], { attempts: 3, backoffMs: 100 });
    world.failuresLeft = 3;
    const jobId = String((await test.client().call(Flaky, 'work')).takenOver?.info?.jobId);
    await eventually(async () => (await jobsOf(test).counts()).failed === 1, 'the failed state');
    expect(world.runs.map((run) => run.attempt)).to.deep.equal([1, 2, 3]);
    const [first, second, third] = world.runs.map((run) => run.at) as [number, number, number];
    expect(second - first, 'wait before the 2nd attempt').to.be.at.least(95);
    expect(third - second, 'wait before the 3rd attempt').to.be.at.least(195);
    const failed = await jobsOf(test).list('failed');
    expect(failed.map((job) => job.id)).to.deep.equal([jobId]);
    expect(failed[0]).to.deep.include({ attempts: 3, maxAttempts: 3, failedReason: 'Event "Flaky.work" failed: the printer is on fire' });
    await jobsOf(test).retry(jobId);
    await eventually(async () => (await jobsOf(test).get(jobId))?.state === 'completed', 'the retried job');
    expect(world.runs).to.have.length(4);
    expect(await test.client().signals(Flaky)).to.include({ succeeded: 1 });
    let refusal: unknown;
    await jobsOf(test).retry(jobId).catch((error: unknown) => { refusal = error; });
    expect(refusal).to.be.instanceOf(StarmodelError).with.property('status', 422);
  });

  it('shares the work between two workers, each job run exactly once', async () => {
    const workers = [await kernelWith([Slow], { concurrency: 1 }), await kernelWith([Slow], { concurrency: 1 })];
    // A change is published by the kernel whose worker ran the event.
    const ranBy = workers.map((test) => {
      const changes: Change[] = [];
      test.kernel.bus.subscribe(typeTopic('Slow'), (change) => changes.push(change));
      return changes;
    });
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) ids.push(String((await workers[0]!.client().call(Slow, 'work')).takenOver?.info?.jobId));
    await eventually(async () => (await jobsOf(workers[0]!).counts()).completed === 12, 'twelve completed jobs', 20_000);
    const ran = world.runs.map((run) => run.jobId!);
    expect([...ran].sort(), 'every job ran once').to.deep.equal([...ids].sort());
    expect(ranBy.map((changes) => changes.length).reduce((sum, count) => sum + count)).to.equal(12);
    expect(ranBy.every((changes) => changes.length > 0), 'both workers took jobs').to.equal(true);
  });

  it('runs a repeating event once per tick with two instances running it', async () => {
    const instances = [await kernelWith([Heartbeat]), await kernelWith([Heartbeat])];
    await eventually(() => world.runs.length >= 5, 'five ticks', 20_000);
    for (const test of [...instances]) await closeKernel(test);
    const ticks = world.runs.map((run) => Number(run.jobId!.split(':').pop()));
    expect(world.runs.every((run) => run.schedule === 'Heartbeat.beat')).to.equal(true);
    expect(new Set(ticks).size, 'one run per tick').to.equal(ticks.length);
    const sorted = [...ticks].sort((x, y) => x - y);
    for (let index = 1; index < sorted.length; index++) expect(sorted[index]! - sorted[index - 1]!, 'ticks a period apart').to.be.at.least(250);
  });

  it('removes the schedule of an event that lost its `every`, and leaves other apps\' schedules alone', async () => {
    const schedulers = new Queue(queue, { connection: { url }, prefix });
    try {
      await closeKernel(await kernelWith([Heartbeat]));
      expect(await schedulers.getJobSchedulersCount(), 'declared').to.equal(1);
      await closeKernel(await kernelWith([Slow]));
      expect(await schedulers.getJobSchedulersCount(), 'after an app that does not know Heartbeat').to.equal(1);
      // The same app, a version later: Heartbeat.beat no longer repeats.
      const nextVersion = class Heartbeat extends Entity {
        static override scope = 'global' as const;
        beats = 0;
        @event() beat() { this.beats++; }
      };
      await closeKernel(await kernelWith([nextVersion]));
      expect(await schedulers.getJobSchedulersCount(), 'after the event lost its every').to.equal(0);
    } finally {
      await schedulers.close();
    }
  });

  it('on shutdown finishes the running job and leaves the others queued for the next worker', async () => {
    const first = await kernelWith([Batch], { concurrency: 1 });
    world.gate = new Gate();
    for (const n of [1, 2, 3]) await first.client().call(Batch, 'step', n);
    await eventually(() => world.runs.length === 1, 'the first job to start');
    const closing = closeKernel(first);
    world.gate.open();
    await closing;
    expect(world.runs.map((run) => run.event)).to.deep.equal(['step1']);
    const observer = await kernelWith([Batch], { worker: false });
    expect(await jobsOf(observer).counts()).to.include({ waiting: 2, completed: 1, active: 0 });
    const next = await kernelWith([Batch]);
    await eventually(async () => (await jobsOf(next).counts()).completed === 3, 'the queued jobs to run');
    expect(world.runs.map((run) => run.event).sort()).to.deep.equal(['step1', 'step2', 'step3']);
  });
});

describe('@starmodel/jobs, BullMQ queue without Redis', function () {
  it('starts anyway, answers 503 SM_JOBS_UNAVAILABLE to background events, and says where and what to do', async () => {
    const lines: string[] = [];
    const recording = { ...silent, error: (message: string) => { lines.push(message); }, warn: (message: string) => { lines.push(message); }, child: () => recording };
    const test = await createTestKernel({ logger: recording, entities: [Thumbnail], plugins: { '@starmodel/jobs': jobsPlugin({ redis: 'redis://127.0.0.1:1', connectTimeoutMs: 300, shutdownTimeoutMs: 500 }) } });
    try {
      const refusal = await test.client().call(Thumbnail, 'resize', 64).then(() => undefined, (error: unknown) => error);
      expect(refusal).to.be.instanceOf(StarmodelError).with.property('code', 'SM_JOBS_UNAVAILABLE');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(lines.join('\n')).to.match(/127\.0\.0\.1:1/).and.match(/REDIS_URL/);
    } finally {
      await test.close();
    }
  });
});
