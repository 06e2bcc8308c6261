/**
 * After sign-in the browser goes where `next` says only when it is a path on this site: the
 * attack of issue 18 (`/login?next=/%09/evil.example` landing on http://evil.example/) over HTTP,
 * through the form post a browser makes and through the sign-in page's own hidden field.
 */
import { expect } from 'chai';
import { PASSWORD, startAuthApp, uniqueEmail, type AuthApp } from './support.js';

describe('auth: redirects after sign-in stay on this site', () => {
  let app: AuthApp;
  let email: string;
  before(async () => {
    app = await startAuthApp([], 'memory', { seedAdmin: false });
    email = uniqueEmail('next');
    await app.client().signup(email, PASSWORD);
  });
  after(() => app.close());

  const signInWith = async (next: string) => {
    const response = await app.client({ Accept: 'text/html' }).request('POST', '/auth/login', { form: { email, password: PASSWORD, next } });
    expect(response.status).to.equal(303);
    return response.headers.get('location') ?? '';
  };

  for (const next of ['/\t/evil.example', '/%09/evil.example', '//evil.example', '/\\evil.example', '/%5Cevil.example', 'https://evil.example/']) {
    it(`refuses next=${JSON.stringify(next)}: the browser lands on this site`, async () => {
      const location = await signInWith(next);
      expect(location.startsWith('/') && !location.startsWith('//'), location).to.equal(true);
      expect(new URL(location.replace(/[\t\n\r]/g, ''), app.url).origin).to.equal(new URL(app.url).origin);
      expect(location).not.to.contain('evil');
    });
  }

  it('follows a path on this site', async () => {
    expect(await signInWith('/todos?page=2')).to.equal('/todos?page=2');
  });
});
