/**
 * Redirect targets from a request (`?next=`, a form's `next`) are same-origin paths only: the one
 * check, `sameOriginPath`, as a property over any string and on the known tricks (issue 18:
 * `/login?next=/%09/evil.example` landed on http://evil.example/ after sign-in).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { sameOriginPath } from '../../kernel/index.js';
import { fuzzSettings } from '../support/fuzz.js';

const ORIGIN = 'https://app.example.com';

/** True when a browser at ORIGIN that follows `Location: path` stays on ORIGIN. */
function staysHome(path: string): boolean {
  // What a browser does with a Location value: drop tabs and newlines, read `\` as `/`, resolve.
  const asBrowser = path.replace(/[\t\n\r]/g, '');
  return new URL(asBrowser, ORIGIN).origin === ORIGIN && new URL(asBrowser.replace(/\\/g, '/'), ORIGIN).origin === ORIGIN;
}

describe('sameOriginPath: redirect targets stay on this site', () => {
  const tricky = fc.array(fc.oneof(
    fc.constantFrom('/', '//', '\\', '/\\', '%2f', '%2F', '%5c', '%5C', '%09', '%0a', '%0d', '%00', '\t', '\n', '\r', '\0', 'evil.example', 'http:', 'https:', 'javascript:', '@', '.', '..', '%25', '?', '#', ' ', '\u2028', '\u3002', '\uff0f'),
    fc.string({ maxLength: 6 }),
  ), { maxLength: 10 }).map((parts) => parts.join(''));

  it('returns, for any string, a path that starts with one "/" and keeps a browser on this origin', () => {
    fc.assert(fc.property(tricky, (target) => {
      const path = sameOriginPath(target);
      expect(path.startsWith('/'), path).to.equal(true);
      expect(path.startsWith('//') || path.startsWith('/\\'), path).to.equal(false);
      expect(/[\u0000-\u001f\u007f\\]/.test(path), JSON.stringify(path)).to.equal(false);
      expect(staysHome(path), JSON.stringify(path)).to.equal(true);
    }), fuzzSettings(2000));
  });

  it('keeps ordinary paths as they are, query and fragment included', () => {
    for (const path of ['/', '/profile', '/todos?page=2&sort=title', '/admin/user#row-3', '/a/b/c.html', '/search?q=%2Fslash']) {
      expect(sameOriginPath(path)).to.equal(path);
    }
  });

  it('refuses the known tricks, falling back', () => {
    const attacks = [
      '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', '/%09/evil.example',
      '/%2F%2Fevil.example', '%2F%2Fevil.example', '/%5Cevil.example', '/%5c%5cevil.example', '/%250909/evil', '/\n/evil.example',
      'https://evil.example/', 'http:evil.example', 'javascript:alert(1)', 'evil.example', '', ' /', '/%0d%0aSet-Cookie:x=1',
    ];
    for (const attack of attacks) expect(sameOriginPath(attack, '/home'), JSON.stringify(attack)).to.equal('/home');
    expect(sameOriginPath(undefined, '/home')).to.equal('/home');
    expect(sameOriginPath(['/a'], '/home')).to.equal('/home');
    expect(sameOriginPath(`/${'a'.repeat(3000)}`, '/home')).to.equal('/home');
  });
});
