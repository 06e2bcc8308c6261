/**
 * The admin overview: every registered entity with its store, scope, events, plugin of origin and
 * record count (a dash when its store is down or too slow), the loaded plugins with the hooks each
 * taps, and the panels another plugin added through the admin's service.
 */
import { expect } from 'chai';
import { Basket, Gadget, Settings, SqlGadget } from './fixtures/entities.js';
import { startAdminApp, textOf, type AdminApp } from './support.js';

/** The overview's row for an entity, as text per column. */
function entityRow(page: string, name: string): { cells: string[]; markup: string } {
  const markup = new RegExp(`<tr data-entity="${name}">([\\s\\S]*?)</tr>`).exec(page)?.[1];
  if (!markup) throw new Error(`no row for ${name}`);
  return { markup, cells: [...markup.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => textOf(cell[1]!)) };
}

function pluginRow(page: string, name: string): string[] {
  const markup = new RegExp(`<tr data-plugin="${name.replace('/', '\\/')}">([\\s\\S]*?)</tr>`).exec(page)?.[1];
  if (!markup) throw new Error(`no row for plugin ${name}`);
  return [...markup.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => textOf(cell[1]!));
}

describe('admin overview', function () {
  this.timeout(30_000);
  let app: AdminApp;
  let page: string;

  before(async () => {
    app = await startAdminApp({ entities: [Gadget, SqlGadget, Settings, Basket], sql: true, panel: { waiting: 7 }, admin: { countTimeoutMs: 300, panelTimeoutMs: 300 } });
    const { kernel } = app.app;
    for (const name of ['One', 'Two', 'Three']) await kernel.dispatch({ entity: 'Gadget', event: 'create', args: { name } });
    await kernel.dispatch({ entity: 'SqlGadget', event: 'create', args: { name: 'Only' } });
    page = await app.client().page('/admin');
  });
  after(async () => {
    await app?.close();
  });

  it('lists every entity with its scope, store, events, origin and record count', () => {
    expect(entityRow(page, 'Gadget').cells).to.deep.equal(['Gadget', 'record (a table of records)', 'memory', 'restock create (built in) delete (built in)', 'app', '3']);
    expect(entityRow(page, 'SqlGadget').cells).to.deep.equal(['SqlGadget', 'record (a table of records)', 'sql', 'restock create (built in) delete (built in)', 'app', '1']);
    expect(entityRow(page, 'Settings').cells.slice(0, 5)).to.deep.equal(['Settings', 'global (one shared)', 'memory', 'bump setMotto', 'app']);
    expect(entityRow(page, 'Basket').cells.slice(0, 5)).to.deep.equal(['Basket', 'session (one per browser session)', 'memory', 'add', 'app']);
    expect(entityRow(page, 'PanelNote').cells, 'an entity a plugin registered names that plugin').to.deep.equal(['PanelNote', 'record (a table of records)', 'memory', 'create (built in) delete (built in)', 'admin-spec-panel', '0']);
  });

  it('does not list internal events', () => {
    expect(entityRow(page, 'Gadget').markup).to.not.contain('touch').and.not.contain('update');
  });

  it('links record and global entities to their pages, and lists session entities only', () => {
    expect(entityRow(page, 'Gadget').markup).to.contain('<a href="/admin/gadget">Gadget</a>');
    expect(entityRow(page, 'Settings').markup).to.contain('<a href="/admin/settings">Settings</a>');
    expect(entityRow(page, 'Basket').markup).to.not.contain('<a ');
  });

  it('shows a dash, with the reason, where a store cannot count in time', () => {
    const down = entityRow(page, 'Outage');
    expect(down.cells[5]).to.match(/^— \(count unavailable: The "down" store is not answering/);
    const stalled = entityRow(page, 'Stalled');
    expect(stalled.cells[5]).to.equal('— (count unavailable: no answer within 300 ms)');
  });

  it('lists the loaded plugins with version, provides, requires and the hooks each taps', () => {
    expect(pluginRow(page, 'starmodel')).to.deep.equal(['starmodel', '0.1.0', 'store:memory', '—', 'commit@0, publish@100']);
    expect(pluginRow(page, '@starmodel/koa')).to.deep.equal(['@starmodel/koa', '0.1.0', 'web', '—', 'entity@0, ready@0, close@0']);
    expect(pluginRow(page, '@starmodel/admin')).to.deep.equal(['@starmodel/admin', '0.1.0', 'admin', 'web', 'close@0']);
    expect(pluginRow(page, '@starmodel/knex').slice(0, 3)).to.deep.equal(['@starmodel/knex', '0.1.0', 'store:sql']);
    expect(pluginRow(page, 'admin-spec-panel')).to.deep.equal(['admin-spec-panel', '0.0.1', 'spec-panel', '—', 'setup@0']);
  });

  it('shows the panels another plugin added; a failing or slow panel shows a notice, not an error page', () => {
    expect(page).to.match(/<section class="panel" id="panel-spec-queue" aria-labelledby="panel-spec-queue-title">\s*<h2 id="panel-spec-queue-title">Spec queue<\/h2>\s*<p id="spec-queue-waiting">7 jobs waiting<\/p>/);
    expect(textOf(/<section class="panel" id="panel-spec-broken"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '')).to.contain('This panel could not be shown');
    expect(textOf(/<section class="panel" id="panel-spec-slow"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '')).to.contain('This panel could not be shown');
    expect(app.logs.join('\n')).to.contain('admin panel "spec-broken" failed: the spec panel fails on purpose').and.contain('admin panel "spec-slow" failed: it took longer than 300 ms');
  });

  it('is one accessible page: a skip link, a main landmark, captions, and the development banner', () => {
    expect(page).to.contain('<a class="skip" href="#main">Skip to content</a>').and.contain('<main id="main" tabindex="-1">');
    expect(page).to.contain('<html lang="en">').and.contain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).to.match(/<caption id="entities-caption">7 registered entities/);
    expect(page).to.contain('<nav aria-label="Admin sections">').and.contain('<a href="/admin" aria-current="page">Overview</a>');
    expect(textOf(page)).to.contain('No sign-in protects this admin.');
  });

  it('serves its own stylesheet, with focus styles and a phone layout', async () => {
    const response = await fetch(`${app.url}/admin/_assets/admin.css`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('text/css; charset=utf-8');
    const css = await response.text();
    expect(css).to.contain(':focus-visible').and.contain('@media (max-width: 40rem)').and.not.match(/https?:\/\//);
  });
});
