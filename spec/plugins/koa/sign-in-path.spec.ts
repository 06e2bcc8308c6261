/**
 * A page for signed-in users, opened signed out: with `signInPath` the browser is sent to sign in
 * and back (303 to `/login?next=<the page>`); without it the page answers 401 with its code; a
 * wrong `signInPath` is refused at start with the key named.
 */
import { expect } from 'chai';
import { Entity, html, StarmodelError } from '../../../kernel/index.js';
import type { PageContext } from '../../../plugins/koa/index.js';
import { startWebApp, type WebApp } from '../../support/web-app.js';

class Secret extends Entity {
  note = '';
}

/** A page that needs a user, as the sandbox's /profile does. */
const members = async (page: PageContext) => {
  if (!page.user) throw new StarmodelError('SM_AUTH_REQUIRED', { action: 'open this page' });
  return html`<p>${page.user.id}</p>`;
};

describe('web plugin: pages that need a signed-in user', () => {
  const apps: WebApp[] = [];
  after(async () => {
    for (const app of apps) await app.close();
  });

  it('sends a signed-out browser to signInPath with the page to come back to', async () => {
    const app = await startWebApp([Secret], { pages: { '/members': members }, signInPath: '/login' });
    apps.push(app);
    const response = await fetch(`${app.url}/members?tab=2`, { redirect: 'manual', headers: { Accept: 'text/html' } });
    expect(response.status).to.equal(303);
    expect(response.headers.get('location')).to.equal(`/login?next=${encodeURIComponent('/members?tab=2')}`);
  });

  it('answers 401 with its code when no signInPath is set', async () => {
    const app = await startWebApp([Secret], { pages: { '/members': members } });
    apps.push(app);
    const response = await fetch(`${app.url}/members`, { redirect: 'manual', headers: { Accept: 'text/html' } });
    expect(response.status).to.equal(401);
    expect(await response.text()).to.contain('SM_AUTH_REQUIRED');
  });

  it('refuses a signInPath that is not a path on this site', async () => {
    const failure = await startWebApp([Secret], { signInPath: '//evil.example/login' }).then(async (app) => { await app.close(); return undefined; }, (error: unknown) => error);
    expect(failure).to.have.property('code', 'SM_CONFIG_INVALID');
    expect((failure as Error).message).to.contain('signInPath');
  });
});
