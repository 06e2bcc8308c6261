/**
 * Concurrency under load against the sandbox in-process: many parallel increments over HTTP lose
 * nothing, and concurrent generator events on one entity run one after another, each request's
 * yielded patches in order.
 */
import { expect } from 'chai';
import { ACCEPT_MODES, snapshotStore, startSandbox, type SandboxApp } from '../support/fuzz.js';
import { openLive, parseSse, signalsOf } from '../support/web-app.js';

/** Runs `count` tasks with at most `inFlight` at once; resolves with every result in order. */
async function pool<T>(count: number, inFlight: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return results;
}

type Stored = { version: number; state: Record<string, unknown> };

describe('reliability: concurrent events', function () {
  this.timeout(30_000);
  let sandbox: SandboxApp;
  let cookie = '';
  let sessionId = '';
  before(async () => {
    sandbox = await startSandbox();
    const first = await fetch(`${sandbox.url}/`);
    cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    sessionId = cookie.slice(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
  });
  after(() => sandbox.close());

  const stored = async (entity: string, id: string) => (await snapshotStore(sandbox.app))[entity]?.[id] as Stored | undefined;

  it('ends at exactly +N after 500 parallel increments (50 in flight) on the global counter, and on one session\'s counter', async () => {
    const N = 500;
    const before = (await stored('Counter', 'global')) ?? { version: 0, state: { count: 0, updates: 0 } };
    const statuses = await pool(N, 50, async (index) => {
      const global = await fetch(`${sandbox.url}/counter/increment?amount=1`, { headers: ACCEPT_MODES.json });
      await global.arrayBuffer();
      // Every tenth request also bumps this session's own counter, interleaved with the global ones.
      if (index % 10 === 0) {
        const mine = await fetch(`${sandbox.url}/sessioncounter/increment?amount=3`, { headers: { ...ACCEPT_MODES.json, Cookie: cookie } });
        await mine.arrayBuffer();
        return [global.status, mine.status];
      }
      return [global.status];
    });
    const after = (await stored('Counter', 'global'))!;
    const acknowledged = statuses.filter((answer) => answer[0] === 200).length;
    console.log(`      concurrency: ${acknowledged} of ${N} increments acknowledged, count moved by ${Number(after.state.count) - Number(before.state.count)}`);
    expect(statuses.flat().filter((status) => status !== 200), 'every request answered 200').to.deep.equal([]);
    expect(after.state.count).to.equal(Number(before.state.count) + N);
    expect(after.state.updates).to.equal(Number(before.state.updates) + N);
    expect(after.version, 'one version per committed increment').to.equal(before.version + N);
    expect((await stored('SessionCounter', sessionId))!.state.count).to.equal(3 * (N / 10));
  });

  it('runs concurrent generator events on one entity one after another, each request\'s patches in order', async () => {
    const live = await openLive(`${sandbox.url}/dashboard/live`, { Cookie: cookie });
    try {
      await live.waitFor(1);
      const runs = 4;
      const answers = await Promise.all(Array.from({ length: runs }, async () => {
        const response = await fetch(`${sandbox.url}/dashboard/run?steps=3`, { headers: { ...ACCEPT_MODES.datastar, Cookie: cookie } });
        return parseSse(await response.text()).filter((event) => event.event === 'datastar-merge-signals').map(signalsOf);
      }));
      for (const answer of answers) {
        const progress = answer.map((signals) => (signals.Dashboard as { progress?: number } | undefined)?.progress).filter((value) => value !== undefined);
        expect(progress, 'each request streams its own steps, in order').to.deep.equal([33, 67, 100]);
        const runNumbers = new Set(answer.map((signals) => (signals.Dashboard as { runs?: number } | undefined)?.runs).filter((value) => value !== undefined));
        expect(runNumbers.size, 'one run number per request').to.equal(1);
      }
      // The live stream saw the runs one after another: each run's steps together, never interleaved.
      const events = await live.waitFor(1 + runs * 4);
      let run = 0;
      const sequence: string[] = [];
      for (const signals of events.slice(1).map(signalsOf)) {
        const board = signals.Dashboard as { runs?: number; progress?: number; status?: string };
        if (board.runs !== undefined) run = board.runs;
        sequence.push(`${run}:${board.progress ?? board.status ?? ''}`);
      }
      const firstRun = Number(sequence[0]!.split(':')[0]);
      const expected = Array.from({ length: runs }, (_, index) => [`${firstRun + index}:33`, `${firstRun + index}:67`, `${firstRun + index}:100`, `${firstRun + index}:done`]).flat();
      expect(sequence).to.deep.equal(expected);
    } finally {
      live.stop();
    }
  });
});
