/**
 * A real Redis outage: a redis-server of this spec's own (free port, no persistence) is killed by
 * PID while two server processes use it, then started again on the same port. While it is down,
 * events that need it answer 503 SM_STORE_UNAVAILABLE at once, everything else keeps working and
 * open live streams stay open; once it is back, increments and fan-out work again without a restart.
 */
import { expect } from 'chai';
import { startServer, type ServerProcess } from '../../support/sandbox-process.js';
import { countsOf, eventually, hasRedisServer, ownRedis, readLive, uniquePrefix, type OwnRedis } from './support.js';

const SERVER = 'spec/plugins/redis/fixtures/server.ts';

type Answer = { status: number; code: string | undefined; count: number | undefined };

async function call(base: string, path: string): Promise<Answer> {
  const response = await fetch(base + path, { headers: { accept: 'application/json' } });
  const body = (await response.json()) as { entity?: { signals: { count?: number } }; error?: { code: string } };
  return { status: response.status, code: body.error?.code, count: body.entity?.signals.count };
}

const occurrences = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

describe('@starmodel/redis when Redis goes away and comes back', function () {
  this.timeout(120_000);
  let redis: OwnRedis | undefined;
  let first: ServerProcess | undefined;
  let second: ServerProcess | undefined;

  before(async function () {
    if (!hasRedisServer()) {
      const reason = 'redis-server is not installed (apt-get install -y redis-server); the fault spec starts and kills its own';
      if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it.`);
      console.log(`      pending: ${reason}`);
      return this.skip();
    }
    redis = await ownRedis();
    await redis.start();
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: uniquePrefix('fault') };
    [first, second] = await Promise.all([startServer(SERVER, env), startServer(SERVER, env)]);
  });
  after(async () => {
    const codes = await Promise.all([first?.stop(), second?.stop()]);
    await redis?.kill();
    if (first) expect(codes, `exit codes; outputs:\n${first.output()}\n${second?.output() ?? ''}`).to.deep.equal([0, 0]);
  });

  it('answers 503 while Redis is down, keeps the processes and open streams alive, and resumes increments and fan-out when it is back', async () => {
    const live = await readLive(`${second!.url}/counter/live`);
    try {
      await live.until('the whole state', (events) => countsOf(events).length >= 1);
      const before = await call(first!.url, '/counter/increment?amount=1');
      expect(before.status).to.equal(200);
      await live.until('the increment before the outage', (events) => countsOf(events).at(-1) === before.count);

      await redis!.kill();

      const down = await call(first!.url, '/counter/increment?amount=1');
      expect(down, 'an event on an entity kept in Redis').to.deep.include({ status: 503, code: 'SM_STORE_UNAVAILABLE' });
      // Nothing waits in a queue for Redis: a burst is answered, every request with a 503.
      const burst = await Promise.all(Array.from({ length: 100 }, (_, index) => call(index % 2 ? first!.url : second!.url, '/counter/increment?amount=1')));
      expect(new Set(burst.map((answer) => `${answer.status} ${answer.code}`))).to.deep.equal(new Set(['503 SM_STORE_UNAVAILABLE']));
      const refusedStream = await readLive(`${first!.url}/counter/live`);
      refusedStream.stop();
      expect(refusedStream.status, 'a new live stream of a Redis entity').to.equal(503);
      // What does not need Redis keeps working.
      const note = await fetch(`${first!.url}/note/write?text=still+here`, { headers: { accept: 'application/json' } });
      expect(note.status).to.equal(200);
      expect(first!.child.exitCode).to.equal(null);
      expect(second!.child.exitCode).to.equal(null);
      expect(live.ended(), 'the open live stream stays open').to.equal(false);

      await redis!.start();

      const seenBeforeRestart = live.events.length;
      const back = await eventually('increments to work again', async () => {
        const answer = await call(first!.url, '/counter/increment?amount=1');
        return answer.status === 200 ? answer : undefined;
      }, 20_000, 100);
      // This Redis kept nothing (no persistence): the counter starts again. The stream that stayed
      // open is told to reload once its instance has subscribed again, so it catches up by itself.
      await live.until('the open stream to catch up', (events) => (countsOf(events.slice(seenBeforeRestart)).at(-1) ?? -1) >= back.count!);
      // And from then on it follows every increment made through the other instance, in order.
      const expected: (number | undefined)[] = [];
      for (let step = 0; step < 5; step++) expected.push((await call(first!.url, '/counter/increment?amount=1')).count);
      await live.until('the increments after the outage on the stream that stayed open', (events) => countsOf(events).at(-1) === expected.at(-1));
      expect(live.ended()).to.equal(false);
      const stream = () => JSON.stringify(live.events.map((event) => [event.id, event.data.join('|')]));
      expect(countsOf(live.events).slice(-5), `the last five increments, in order; stream: ${stream()}`).to.deep.equal(expected);

      for (const server of [first!, second!]) {
        expect(occurrences(server.output(), /Redis at \S+ is not answering/g), `one warning per outage:\n${server.output()}`).to.equal(1);
        expect(occurrences(server.output(), /Redis at \S+ is answering again/g)).to.equal(1);
      }
    } finally {
      live.stop();
    }
  });

  it('starts while Redis is not there yet (503 meanwhile, one warning) and uses it as soon as it appears', async () => {
    const late = await ownRedis();
    const server = await startServer(SERVER, { REDIS_URL: late.url, REDIS_PREFIX: uniquePrefix('late') });
    try {
      expect(await call(server.url, '/counter/increment?amount=1')).to.deep.include({ status: 503, code: 'SM_STORE_UNAVAILABLE' });
      await late.start();
      const answer = await eventually('increments to work', async () => {
        const result = await call(server.url, '/counter/increment?amount=1');
        return result.status === 200 ? result : undefined;
      }, 20_000, 100);
      expect(answer.count).to.equal(1);
      expect(occurrences(server.output(), /Redis at \S+ is not answering/g), server.output()).to.equal(1);
    } finally {
      expect(await server.stop()).to.equal(0);
      await late.kill();
    }
  });
});
