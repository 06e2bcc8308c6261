/**
 * The records table's live stream (`GET /admin/<entity>/live`, Datastar beta.11 wire format): it
 * sends the table body for the view when it opens, then appends records created elsewhere that
 * match the view, morphs shown records that change, removes deleted ones, and keeps the count.
 */
import { expect } from 'chai';
import { openLive, type SseEvent } from '../../support/web-app.js';
import { Gadget } from './fixtures/entities.js';
import { startAdminApp, tableRows, textOf, type AdminApp } from './support.js';

const fragments = (event: SseEvent) => event.data.filter((line) => line.startsWith('fragments ')).map((line) => line.slice('fragments '.length)).join('\n');
const line = (event: SseEvent, key: string) => event.data.find((item) => item.startsWith(`${key} `))?.slice(key.length + 1);
const rowId = (id: string) => `admin-row-${Buffer.from(id).toString('hex')}`;

describe('admin live table', function () {
  this.timeout(20_000);
  let app: AdminApp;
  const create = async (name: string, colour = 'red') => (await app.app.kernel.dispatch({ entity: 'Gadget', event: 'create', args: { name, colour } })).id;

  before(async () => {
    app = await startAdminApp({ entities: [Gadget] });
  });
  after(async () => {
    await app?.close();
  });

  it('opens with the table body, then appends, morphs and removes rows as records change elsewhere', async () => {
    const first = await create('Before the stream');
    const live = await openLive(`${app.url}/admin/gadget/live`);
    try {
      expect(live.status).to.equal(200);
      const opening = await live.waitFor(2);
      expect(opening[0]?.event).to.equal('datastar-merge-fragments');
      expect(fragments(opening[0]!)).to.match(/^<tbody id="admin-rows">/);
      expect(tableRows(fragments(opening[0]!)).map((row) => row.id)).to.deep.equal([first]);
      expect(fragments(opening[1]!)).to.equal('<span id="admin-total">1 record</span>');
      expect(fragments((await live.waitFor(3))[2]!)).to.contain('data-live="on"');

      const second = await create('Made elsewhere');
      const appended = (await live.waitFor(6)).slice(3);
      expect(line(appended[0]!, 'selector')).to.equal('#admin-rows');
      expect(line(appended[0]!, 'mergeMode')).to.equal('append');
      expect(tableRows(fragments(appended[0]!))[0]).to.deep.include({ id: second, cells: { name: 'Made elsewhere', price: '0', stock: '0', colour: 'red', active: 'yes', launched: '—', tags: '[]' } });
      expect(fragments(appended[1]!)).to.equal('<span id="admin-total">2 records</span>');
      expect(textOf(fragments(appended[2]!))).to.equal('Gadget ' + second + ' was created.');

      await app.app.kernel.dispatch({ entity: 'Gadget', event: 'restock', id: first, args: { delta: 6 } });
      const morphed = (await live.waitFor(8)).slice(6);
      expect(line(morphed[0]!, 'selector'), 'a morph targets the row by its own id').to.equal(undefined);
      expect(fragments(morphed[0]!)).to.contain(`<tr id="${rowId(first)}" class="fresh changed">`);
      expect(tableRows(fragments(morphed[0]!))[0]?.cells.stock).to.equal('6');

      await app.app.kernel.dispatch({ entity: 'Gadget', event: 'delete', id: second });
      const removed = (await live.waitFor(11)).slice(8);
      expect(removed[0]?.event).to.equal('datastar-remove-fragments');
      expect(line(removed[0]!, 'selector')).to.equal(`#${rowId(second)}`);
      expect(fragments(removed[1]!)).to.equal('<span id="admin-total">1 record</span>');
    } finally {
      live.stop();
    }
  });

  it('appends only new records that match the search the page shows', async () => {
    const live = await openLive(`${app.url}/admin/gadget/live?q=blue&field=colour`);
    try {
      await live.waitFor(3);
      await create('Red one', 'red');
      const blue = await create('Blue one', 'blue');
      const events = (await live.waitFor(6)).slice(3);
      expect(events.filter((event) => line(event, 'selector') === '#admin-rows' || fragments(event).startsWith('<tbody')).map((event) => tableRows(fragments(event))[0]?.id)).to.deep.equal([blue]);
      expect(events.map(fragments).join('\n')).to.not.contain('Red one');
    } finally {
      live.stop();
    }
  });

  it('refuses a view it cannot show before opening the stream', async () => {
    const response = await fetch(`${app.url}/admin/gadget/live?sort=nope`, { headers: { 'Datastar-Request': 'true' } });
    expect(response.status).to.equal(400);
    expect(await response.text()).to.contain('datastar-merge-signals');
  });
});
