/**
 * @module @starmodel/admin/views/error
 * An error as an admin page: inside the admin's frame for admins, or a bare page (no entity
 * names) for someone the admin refused.
 */
import { html, type Html, type StarmodelError } from 'starmodel';
import type { AdminOptions } from '../options.js';
import { adminPage, STYLESHEET, type Chrome } from './layout.js';

function body(error: StarmodelError, options: AdminOptions, signedOut: boolean): Html {
  const shown = error.toJSON().error;
  return html`<div class="notice error" role="alert"><p>${shown.message}</p><p class="code"><code>${shown.code}</code> (HTTP ${shown.status})</p></div>
${signedOut && options.loginPath !== false ? html`<p><a href="${options.loginPath}?next=${encodeURIComponent(options.path)}">Sign in</a></p>` : ''}
<p><a href="/">Back to the site</a></p>`;
}

/** The page for an error: in the frame when the request was admitted (`chrome`), bare otherwise. */
export function errorPage(options: AdminOptions, error: StarmodelError, chrome: Chrome | undefined): Html {
  const title = error.status === 404 ? 'Not found' : error.status === 401 ? 'Sign in to use the admin' : error.status === 403 ? 'Not allowed' : 'Something went wrong';
  if (chrome) return adminPage(chrome, { title, content: body(error, options, false) });
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${title} · ${options.title}</title><link rel="stylesheet" href="${options.path}${STYLESHEET}"></head>
<body><main id="main"><h1>${title}</h1>${body(error, options, error.status === 401)}</main></body>
</html>`;
}
