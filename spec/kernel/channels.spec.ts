/**
 * The lifecycle channels: a subscriber to `starmodel:dispatch` (node:diagnostics_channel) sees
 * every event start, each committed step, and its end or its error, with the outcome, for a
 * refused, a failing, a generator and a background event; commit and publish are traced too.
 * Nothing is announced to nobody: without subscribers the channels report none.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { expect } from 'chai';
import { CHANNELS, consoleLogger, dispatchOutcome, Entity, event, refuse, z, type CommitTrace, type DispatchTrace, type PublishTrace, type StepTrace } from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import jobsPlugin from '../../plugins/jobs/index.js';

class Meter extends Entity {
  static override scope = 'global' as const;
  level = 0;
  @event({ args: { amount: z.number().int().max(10) } }) add(amount: number) { this.level += amount; }
  @event() guarded() { refuse('Not now.'); }
  @event() broken() { throw new Error('the meter broke'); }
  @event() *fill() {
    this.level = 1;
    yield;
    this.level = 2;
    yield;
    this.level = 3;
  }
  @event({ background: true }) *later() {
    this.level = 10;
    yield;
    this.level = 11;
  }
}

/** Everything the channels said, in order, as `<message> <entity>.<event>[ outcome]`. */
function record(): { lines: string[]; traces: DispatchTrace[]; commits: CommitTrace[]; publishes: PublishTrace[]; stop(): void } {
  const lines: string[] = [];
  const traces: DispatchTrace[] = [];
  const commits: CommitTrace[] = [];
  const publishes: PublishTrace[] = [];
  const name = (trace: DispatchTrace) => `${trace.entity}.${trace.event}`;
  const dispatch = {
    start: (trace: DispatchTrace) => { traces.push(trace); lines.push(`start ${name(trace)}`); },
    end: () => undefined,
    asyncStart: () => undefined,
    // asyncEnd follows error too (tracePromise's contract): only a resolved event ends here.
    asyncEnd: (trace: DispatchTrace) => { if (!('error' in trace)) lines.push(`end ${name(trace)} ${dispatchOutcome(trace) ?? '?'}`); },
    error: (trace: DispatchTrace) => { lines.push(`error ${name(trace)} ${dispatchOutcome(trace) ?? '?'}`); },
  };
  const step = (message: unknown) => {
    const { dispatch: trace, change, final } = message as StepTrace;
    lines.push(`step ${name(trace)} ${change ? `v${change.version}` : 'nothing'}${final ? ' final' : ''}`);
  };
  const none = { end: () => undefined, asyncStart: () => undefined, asyncEnd: () => undefined, error: () => undefined };
  const commit = { ...none, start: (trace: CommitTrace) => { commits.push(trace); } };
  const publish = { ...none, start: (trace: PublishTrace) => { publishes.push(trace); } };
  tracingChannel<unknown, DispatchTrace>(CHANNELS.dispatch).subscribe(dispatch);
  channel(CHANNELS.step).subscribe(step);
  tracingChannel<unknown, CommitTrace>(CHANNELS.commit).subscribe(commit);
  tracingChannel<unknown, PublishTrace>(CHANNELS.publish).subscribe(publish);
  return {
    lines, traces, commits, publishes,
    stop: () => {
      tracingChannel<unknown, DispatchTrace>(CHANNELS.dispatch).unsubscribe(dispatch);
      channel(CHANNELS.step).unsubscribe(step);
      tracingChannel<unknown, CommitTrace>(CHANNELS.commit).unsubscribe(commit);
      tracingChannel<unknown, PublishTrace>(CHANNELS.publish).unsubscribe(publish);
    },
  };
}

describe('lifecycle channels (node:diagnostics_channel)', () => {
  let t: TestKernel;
  let seen: ReturnType<typeof record>;

  beforeEach(async () => {
    t = await createTestKernel({ entities: [Meter], logger: consoleLogger('silent'), plugins: { '@starmodel/jobs': jobsPlugin({ redis: false }) } });
    seen = record();
  });
  afterEach(async () => {
    seen.stop();
    await t.close();
  });

  it('announces an event that runs: start, its step, end ok; with its commit and its publish', async () => {
    await t.client().call(Meter, 'add', 2);
    expect(seen.lines).to.deep.equal(['start Meter.add', 'step Meter.add v1 final', 'end Meter.add ok']);
    expect(seen.commits.map((trace) => trace.unit.patch)).to.deep.equal([{ level: 2 }]);
    expect(seen.publishes.map((trace) => trace.change.patch)).to.deep.equal([{ level: 2 }]);
    expect(seen.traces[0]!.result?.version).to.equal(1);
  });

  it('announces a refused event as an error with the outcome "rejected", for bad arguments and for refuse()', async () => {
    await t.client().call(Meter, 'add', 99).catch(() => undefined);
    await t.client().call(Meter, 'guarded').catch(() => undefined);
    expect(seen.lines).to.deep.equal(['start Meter.add', 'error Meter.add rejected', 'start Meter.guarded', 'error Meter.guarded rejected']);
    expect(seen.traces[1]!.error).to.have.property('code', 'SM_EVENT_REFUSED');
    expect(seen.commits).to.deep.equal([]);
  });

  it('announces a failing event as an error with the outcome "failed"', async () => {
    await t.client().call(Meter, 'broken').catch(() => undefined);
    expect(seen.lines).to.deep.equal(['start Meter.broken', 'error Meter.broken failed']);
    expect(seen.traces[0]!.error).to.have.property('code', 'SM_EVENT_FAILED');
  });

  it('announces each step of a generator event, in order, before its end', async () => {
    await t.client().call(Meter, 'fill');
    expect(seen.lines).to.deep.equal(['start Meter.fill', 'step Meter.fill v1', 'step Meter.fill v2', 'step Meter.fill v3 final', 'end Meter.fill ok']);
    expect(seen.publishes).to.have.length(3);
  });

  it('announces a background event twice: queued when asked, then run by the worker with its steps', async () => {
    await t.client().call(Meter, 'later');
    const deadline = Date.now() + 5000;
    while (!seen.lines.includes('end Meter.later ok') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    // The worker may start before the request's own end is announced: compare each event's own messages.
    const [asked, run] = seen.traces;
    expect(dispatchOutcome(asked!)).to.equal('queued');
    expect(dispatchOutcome(run!)).to.equal('ok');
    expect(seen.lines.filter((line) => line.endsWith('queued'))).to.deep.equal(['end Meter.later queued']);
    expect(seen.lines.filter((line) => !line.endsWith('queued')).slice(1)).to.deep.equal(['start Meter.later', 'step Meter.later v1', 'step Meter.later v2 final', 'end Meter.later ok']);
  });

  it('costs nothing when nobody subscribes: the channels report no subscribers', () => {
    seen.stop();
    expect(tracingChannel(CHANNELS.dispatch).hasSubscribers).to.equal(false);
    expect(channel(CHANNELS.step).hasSubscribers).to.equal(false);
    seen = record();
  });
});
