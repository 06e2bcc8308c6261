import { expect } from 'chai';
import { Entity, event, html, isStarmodelError, metaOf, refuse, versionOf, type Change, type StarmodelError, type Step } from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';
import { rejectsWith, rejection } from '../fixtures/errors.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

class Job extends Entity {
  static override scope = 'global' as const;
  count = 0;
  phase = 'idle';
  log: string[] = [];
  settings: Record<string, string> = { theme: 'light' };

  @event() bump(amount = 1) {
    this.count += amount;
  }

  @event() async bumpLater(amount = 1) {
    await tick();
    this.count += amount;
  }

  @event() *phases() {
    this.phase = 'loading';
    yield;
    this.count = 10;
    yield;
    this.phase = 'done';
  }

  @event() async *countdown(from = 3) {
    for (let left = from; left > 0; left--) {
      await tick();
      this.count = left;
      yield html`<p id="left">${left}</p>`;
    }
    this.phase = 'lift-off';
    return 'launched';
  }

  @event({ selector: '#log', mode: 'append' }) note(text = '') {
    this.log = [...this.log, text];
    return html`<li>${text}</li>`;
  }

  @event() configure(key = '', value = '') {
    this.settings[key] = value;
    this.log.push(`set ${key}`);
  }

  @event() answer() {
    return 42;
  }

  @event() careful(amount = 1) {
    this.count += amount;
    if (this.count > 5) refuse('Count cannot go above 5.', { amount: 'Too large' });
  }

  @event() broken() {
    this.count = 999;
    throw new Error('disk on fire');
  }
}

class Task extends Entity {
  static override scope = 'record' as const;
  title = '';
  done = false;

  @event({ method: 'post' }) toggle() {
    this.done = !this.done;
  }

  @event({ method: 'post' }) static create(title: string) {
    const task = new Task();
    task.title = title;
    return task;
  }

  @event({ method: 'post' }) static blank() {
    return new Task();
  }

  @event({ method: 'post' }) static createWithId(id = '', title = '') {
    const task = new Task();
    task.id = id;
    task.title = title;
    return task;
  }

  @event() static count() {
    return html`<span id="count">static</span>`;
  }
}

describe('Events', () => {
  let t: TestKernel;

  beforeEach(async () => {
    t = await createTestKernel({ entities: [Job, Task] });
  });

  afterEach(() => t.close());

  it('recognises sync, async, generator and async generator methods', () => {
    const events = metaOf(Job).events;
    expect(events.get('bump')?.kind).to.equal('sync');
    expect(events.get('bumpLater')?.kind).to.equal('async');
    expect(events.get('phases')?.kind).to.equal('generator');
    expect(events.get('countdown')?.kind).to.equal('async-generator');
  });

  it('runs a sync event and returns the patch, version and signals', async () => {
    const result = await t.client().call(Job, 'bump', 2);
    expect(result.patch).to.deep.equal({ count: 2 });
    expect(result.version).to.equal(1);
    expect(result.signals).to.deep.equal({ id: 'global', count: 2, phase: 'idle', log: [], settings: { theme: 'light' } });
    expect((await t.kernel.load(Job)).count).to.equal(2);
  });

  it('runs an async event to completion before committing', async () => {
    const result = await t.client().call(Job, 'bumpLater', 4);
    expect(result.patch).to.deep.equal({ count: 4 });
    expect((await t.kernel.load(Job)).count).to.equal(4);
  });

  it('commits a generator once per yield plus once at the end, in order', async () => {
    const steps: Change[] = [];
    const result = await t.kernel.dispatch({ entity: Job, event: 'phases' }, {}, (step) => { if (step.change) steps.push(step.change); });
    expect(steps.map((step) => step.patch)).to.deep.equal([{ phase: 'loading' }, { count: 10 }, { phase: 'done' }]);
    expect(steps.map((step) => step.final)).to.deep.equal([false, false, true]);
    expect(steps.map((step) => step.version)).to.deep.equal([1, 2, 3]);
    expect(result.patch, 'the final patch merges every step').to.deep.equal({ phase: 'done', count: 10 });
    expect(result.version).to.equal(3);
  });

  it('keeps running when a step sink throws: the error is reported and the event commits', async () => {
    const result = await t.kernel.dispatch({ entity: Job, event: 'phases' }, {}, () => { throw new Error('the sink broke'); });
    expect(result.version).to.equal(3);
  });

  it('publishes one change per generator step', async () => {
    const client = t.client();
    const watch = client.watch(Job);
    await client.call(Job, 'phases');
    watch.stop();
    expect(watch.changes.map((change) => change.patch)).to.deep.equal([{ phase: 'loading' }, { count: 10 }, { phase: 'done' }]);
  });

  it('runs an async generator, sending the HTML it yields with each step', async () => {
    const steps: Change[] = [];
    const result = await t.kernel.dispatch({ entity: Job, event: 'countdown', query: { from: '2' } }, {}, (step) => { if (step.change) steps.push(step.change); });
    expect(steps.map((step) => step.patch)).to.deep.equal([{ count: 2 }, { count: 1 }, { phase: 'lift-off' }]);
    expect(steps.map((step) => step.elements.map((element) => element.html))).to.deep.equal([['<p id="left">2</p>'], ['<p id="left">1</p>'], []]);
    expect(result.value, "the generator's return value").to.equal('launched');
    expect(result.patch).to.deep.equal({ count: 1, phase: 'lift-off' });
    expect(result.elements.map((element) => element.html)).to.deep.equal(['<p id="left">2</p>', '<p id="left">1</p>']);
  });

  it('hands the sink every step; the last one, which changed nothing, comes without a change', async () => {
    class Once extends Entity {
      static override scope = 'global' as const;
      n = 0;
      @event() *once() { this.n = 1; yield; }
    }
    t.kernel.register(Once);
    const steps: Step[] = [];
    const result = await t.kernel.dispatch({ entity: Once, event: 'once' }, {}, (step) => { steps.push(step); });
    expect(steps.map((step) => [step.change?.patch, step.final])).to.deep.equal([[{ n: 1 }, false], [undefined, true]]);
    expect(result.version).to.equal(1);
  });

  it('sends returned HTML with the selector and mode of the event', async () => {
    const result = await t.client().call(Job, 'note', '<b>hi</b>');
    expect(result.elements).to.deep.equal([{ html: '<li>&lt;b&gt;hi&lt;/b&gt;</li>', selector: '#log', mode: 'append' }]);
    expect(result.patch).to.deep.equal({ log: ['<b>hi</b>'] });
  });

  it('sees changes made in place inside objects and arrays', async () => {
    const result = await t.client().send(Job, 'configure', { query: { key: 'lang', value: 'fr' } });
    expect(result.patch).to.deep.equal({ settings: { lang: 'fr' }, log: ['set lang'] });
    expect((await t.kernel.load(Job)).settings).to.deep.equal({ theme: 'light', lang: 'fr' });
  });

  it('hands back the value the method returned', async () => {
    const result = await t.client().call(Job, 'answer');
    expect(result.value).to.equal(42);
    expect(result.patch).to.deep.equal({});
    expect(result.version, 'nothing changed, nothing saved').to.equal(0);
  });

  it('refuses from inside the method with SM_EVENT_REFUSED (422) and saves nothing', async () => {
    const client = t.client();
    await client.call(Job, 'careful', 5);
    const error = await rejectsWith(client.call(Job, 'careful', 1), 'SM_EVENT_REFUSED');
    expect(error.status).to.equal(422);
    expect(error.message).to.equal('Count cannot go above 5.');
    expect(error.fields).to.deep.equal({ amount: 'Too large' });
    const job = await t.kernel.load(Job);
    expect(job.count).to.equal(5);
    expect(versionOf(job)).to.equal(1);
  });

  it('turns an unexpected throw into SM_EVENT_FAILED (500, message hidden from clients) and saves nothing', async () => {
    const error = await rejectsWith(t.client().call(Job, 'broken'), 'SM_EVENT_FAILED');
    expect(error.status).to.equal(500);
    expect(error.message).to.include('disk on fire');
    expect(error.toJSON().error.message).to.not.include('disk on fire');
    expect((await t.kernel.load(Job)).count).to.equal(0);
  });

  it('refuses an unknown event with SM_EVENT_UNKNOWN (404)', async () => {
    const error = await rejectsWith(t.kernel.dispatch({ entity: Job, event: 'nope' }), 'SM_EVENT_UNKNOWN');
    expect(error.status).to.equal(404);
  });

  it('refuses an unknown entity with SM_ENTITY_UNKNOWN (404)', async () => {
    await rejectsWith(t.kernel.dispatch({ entity: 'Nope', event: 'bump' }), 'SM_ENTITY_UNKNOWN');
  });

  describe('static events', () => {
    it('creates a record with a generated id from a returned instance', async () => {
      const result = await t.client().send(Task, 'create', { query: { title: 'Buy milk' } });
      expect(result.id).to.match(/^[0-9a-f-]{36}$/);
      expect(result.version).to.equal(1);
      expect(result.value).to.be.instanceOf(Task);
      const task = await t.kernel.load(Task, {}, result.id);
      expect(task).to.include({ id: result.id, title: 'Buy milk', done: false });
      expect(versionOf(task)).to.equal(1);
    });

    it('gives every created record its own id', async () => {
      const client = t.client();
      const first = await client.send(Task, 'create', { query: { title: 'a' } });
      const second = await client.send(Task, 'create', { query: { title: 'b' } });
      expect(first.id).to.not.equal(second.id);
      expect((await t.kernel.find(Task)).total).to.equal(2);
    });

    it('sends the whole new record as the patch and publishes it', async () => {
      const seen: { patch: unknown; version: number }[] = [];
      t.kernel.pluginApi('spy').hooks.publish.tap((change) => { seen.push({ patch: change.patch, version: change.version }); });
      const result = await t.client().send(Task, 'create', { query: { title: 'Buy milk' } });
      expect(result.patch).to.deep.equal({ id: result.id, title: 'Buy milk', done: false });
      expect(result.signals).to.deep.equal(result.patch);
      expect(seen).to.deep.equal([{ patch: result.patch, version: 1 }]);
    });

    it('stores a created record even when all its fields keep their defaults', async () => {
      const client = t.client();
      const { id, version } = await client.send(Task, 'blank');
      expect(version).to.equal(1);
      expect(await client.signals(Task, id)).to.deep.equal({ id, title: '', done: false });
      const toggled = await client.send(Task, 'toggle', { id });
      expect(toggled.patch).to.deep.equal({ done: true });
    });

    it('keeps an id chosen by the static event', async () => {
      const result = await t.client().send(Task, 'createWithId', { query: { id: 'home', title: 'Home' } });
      expect(result.id).to.equal('home');
      expect((await t.kernel.load(Task, {}, 'home')).title).to.equal('Home');
    });

    it('refuses to create a record whose id exists with a client error (409), leaving the existing record as it was', async () => {
      const client = t.client();
      await client.send(Task, 'createWithId', { query: { id: 'home', title: 'Home' } });
      const error = await rejection(client.send(Task, 'createWithId', { query: { id: 'home', title: 'Other' } }));
      expect(isStarmodelError(error), `expected a StarmodelError, got ${String(error)}`).to.equal(true);
      expect((error as StarmodelError).status).to.equal(409);
      const task = await t.kernel.load(Task, {}, 'home');
      expect(task.title).to.equal('Home');
      expect(versionOf(task)).to.equal(1);
    });

    it('lets the created record take events', async () => {
      const client = t.client();
      const { id } = await client.send(Task, 'create', { query: { title: 'Buy milk' } });
      const toggled = await client.send(Task, 'toggle', { id });
      expect(toggled.patch).to.deep.equal({ done: true });
      expect(toggled.version).to.equal(2);
    });

    it('returns a static event result that is not an instance without saving anything', async () => {
      const result = await t.client().send(Task, 'count');
      expect(result.elements.map((element) => element.html)).to.deep.equal(['<span id="count">static</span>']);
      expect((await t.kernel.find(Task)).total).to.equal(0);
    });
  });
});
