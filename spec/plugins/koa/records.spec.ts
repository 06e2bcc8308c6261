/**
 * Record entities over HTTP: built-in create and delete, list and get routes, and the per-type
 * live stream that keeps a list current.
 */
import { expect } from 'chai';
import { Entity, domId, event, field, html, z } from '../../../kernel/index.js';
import { openLive, startWebApp, type WebApp } from '../../support/web-app.js';

class Book extends Entity {
  static override scope = 'record' as const;
  @field(z.string().trim().min(1, 'A title is needed').max(100)) title = '';
  @field(z.number().min(0)) price = 0;
  @field(z.enum(['novel', 'essay'])) kind: 'novel' | 'essay' = 'novel';
  read = false;
  @event({ method: 'post' }) toggle() { this.read = !this.read; }
  @event({ method: 'post' }) retitle(title: string) { this.title = title; }
  render() { return html`<li id="${domId(this)}">${this.title}</li>`; }
}

describe('record entities over HTTP', function () {
  let web: WebApp;
  before(async () => {
    web = await startWebApp([Book]);
  });
  after(() => web.close());

  const json = { Accept: 'application/json', 'Content-Type': 'application/json' };
  const create = async (values: Record<string, unknown>) => fetch(`${web.url}/book/create`, { method: 'POST', headers: json, body: JSON.stringify(values) });
  const created = async (values: Record<string, unknown>) => ((await (await create(values)).json()) as { entity: { id: string; version: number; signals: Record<string, unknown> } }).entity;

  it('creates a record from validated fields, with defaults for the rest', async () => {
    const book = await created({ title: '  Dune ', price: '9.5' });
    expect(book.signals).to.include({ title: 'Dune', price: 9.5, kind: 'novel', read: false });
    expect(book.version).to.equal(1);
    const fetched = (await (await fetch(`${web.url}/book/${book.id}`, { headers: json })).json()) as { entity: { signals: { title: string } } };
    expect(fetched.entity.signals.title).to.equal('Dune');
  });

  it('refuses a create with per-field errors and stores nothing', async () => {
    const before = ((await (await fetch(`${web.url}/book`, { headers: json })).json()) as { total: number }).total;
    const response = await create({ title: ' ', price: -1, kind: 'poem' });
    expect(response.status).to.equal(400);
    const body = (await response.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields).sort()).to.deep.equal(['kind', 'price', 'title']);
    expect(body.error.fields.title).to.equal('A title is needed');
    expect(((await (await fetch(`${web.url}/book`, { headers: json })).json()) as { total: number }).total).to.equal(before);
  });

  it('refuses an event that would leave a field invalid, and keeps the record as it was', async () => {
    const book = await created({ title: 'Kept' });
    const response = await fetch(`${web.url}/book/${book.id}/retitle`, { method: 'POST', headers: json, body: JSON.stringify({ title: '' }) });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: { fields: Record<string, string> } }).error.fields).to.have.property('title');
    const fetched = (await (await fetch(`${web.url}/book/${book.id}`, { headers: json })).json()) as { entity: { version: number; signals: { title: string } } };
    expect(fetched.entity.signals.title).to.equal('Kept');
    expect(fetched.entity.version).to.equal(1);
  });

  it('deletes a record; it is then gone', async () => {
    const book = await created({ title: 'Temporary' });
    const response = await fetch(`${web.url}/book/${book.id}/delete`, { method: 'DELETE', headers: json });
    expect(response.status).to.equal(200);
    const gone = await fetch(`${web.url}/book/${book.id}`, { headers: json });
    expect(gone.status).to.equal(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).to.equal('SM_RECORD_NOT_FOUND');
  });

  it('lists records with equality filters, ordering and paging', async () => {
    for (const [title, price, kind] of [['A', 3, 'essay'], ['B', 1, 'essay'], ['C', 2, 'essay']] as const) await created({ title, price, kind });
    const list = (await (await fetch(`${web.url}/book?kind=essay&orderBy=-price&limit=2&offset=1`, { headers: json })).json()) as { items: { title: string }[]; total: number };
    expect(list.total).to.equal(3);
    expect(list.items.map((item) => item.title)).to.deep.equal(['C', 'B']);
    const bad = await fetch(`${web.url}/book?colour=red`, { headers: json });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields).to.have.property('colour');
  });

  it('finds records from server code with Book.find and Book.get', async () => {
    const book = await created({ title: 'Findable', price: 42 });
    expect((await Book.get(book.id)).title).to.equal('Findable');
    const found = await Book.find({ where: { price: 42 } });
    expect(found.items.map((item) => item.id)).to.include(book.id);
  });

  it('streams record views on the type stream: appended on create, morphed on change, removed on delete', async () => {
    const live = await openLive(`${web.url}/book/live`);
    const book = await created({ title: 'Live one' });
    await fetch(`${web.url}/book/${book.id}/toggle`, { method: 'POST', headers: json });
    await fetch(`${web.url}/book/${book.id}/delete`, { method: 'DELETE', headers: json });
    const events = await live.waitFor(3);
    expect(events[0]!.data).to.deep.equal(['selector #book-list', 'mergeMode append', `fragments <li id="book-${book.id}">Live one</li>`]);
    expect(events[1]!.data).to.deep.equal([`fragments <li id="book-${book.id}">Live one</li>`]);
    expect(events[2]).to.deep.include({ event: 'datastar-remove-fragments' });
    expect(events[2]!.data).to.deep.equal([`selector #book-${book.id}`]);
    live.stop();
  });
});
