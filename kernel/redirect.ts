/**
 * @module redirect
 * The one check for redirect targets that come from a request (`?next=`, a form's `next` field,
 * a Referer): only a path on this site passes, anything else becomes the fallback.
 */

/** Stand-in origin to resolve against: any path that stays on it stays on the app's own origin. */
const HOME = 'http://starmodel.invalid';
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/** The target with percent-escapes undone, at most `rounds` times (stops when nothing changes or it is malformed). */
function decoded(target: string, rounds = 3): string[] {
  const forms = [target];
  let current = target;
  for (let round = 0; round < rounds && current.includes('%'); round++) {
    try {
      const next = decodeURIComponent(current);
      if (next === current) break;
      forms.push((current = next));
    } catch {
      break;
    }
  }
  return forms;
}

/**
 * A same-origin path for a redirect, or `fallback`. Refused: anything not starting with one `/`,
 * protocol-relative targets (`//host`), backslashes (`/\host`, which browsers read as `//host`),
 * control characters (a tab or newline that a browser drops, turning `/\t/host` into `//host`),
 * and the same tricks hidden behind percent-encoding (`/%09/host`, `/%2F%2Fhost`, `%5C`). What
 * passes is returned as the URL parser normalises it (path, query and fragment).
 */
export function sameOriginPath(target: unknown, fallback = '/'): string {
  if (typeof target !== 'string' || target === '' || target.length > 2048) return fallback;
  for (const form of decoded(target)) {
    if (UNSAFE.test(form) || !form.startsWith('/') || form.startsWith('//')) return fallback;
  }
  let url: URL;
  try {
    url = new URL(target, HOME);
  } catch {
    return fallback;
  }
  if (url.origin !== HOME) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? fallback : path;
}
