/**
 * @module @starmodel/admin/views/layout
 * The frame of every admin page: a skip link, the header with the entity navigation, the
 * development banner when nobody has to sign in, and the main landmark.
 */
import { html, type DatastarAttributes, type EntityMeta, type Html, type Kernel } from 'starmodel';
import { CLIENT_SCRIPT_PATH, type RequestState } from '@starmodel/koa';
import type { AdminOptions } from '../options.js';

/** URL of the admin's stylesheet under its mount path. */
export const STYLESHEET = '/_assets/admin.css';

/** What every page of one request needs to know. */
export interface Chrome {
  readonly kernel: Kernel;
  readonly options: AdminOptions;
  readonly state: RequestState;
  /** True when no auth plugin guards the admin (development): every page shows a warning. */
  readonly open: boolean;
  /** Datastar attributes in the web plugin's dialect. */
  readonly ds: DatastarAttributes;
}

/** Entities that have an admin page of their own: record types (tables) and globals (state and events). */
export function pagedEntities(kernel: Kernel): EntityMeta[] {
  return kernel.registry.all().filter((meta) => meta.scope === 'record' || meta.scope === 'global');
}

/** The admin URL of an entity, or of something under it. */
export function entityPath(options: AdminOptions, meta: EntityMeta, rest = ''): string {
  return `${options.path}/${encodeURIComponent(meta.route)}${rest}`;
}

/** The admin URL of one record. */
export function recordPath(options: AdminOptions, meta: EntityMeta, id: string, rest = ''): string {
  return entityPath(options, meta, `/records/${encodeURIComponent(id)}${rest}`);
}

function whoIs(state: RequestState): string | undefined {
  const user = state.user as (RequestState['user'] & { name?: unknown; email?: unknown }) | undefined;
  if (!user) return undefined;
  return typeof user.name === 'string' && user.name ? user.name : typeof user.email === 'string' ? user.email : user.id;
}

/** A whole admin page. `live` loads the Datastar client (for a live table). */
export function adminPage(chrome: Chrome, page: { title: string; content: Html; current?: string; live?: boolean }): Html {
  const { options, kernel } = chrome;
  const who = whoIs(chrome.state);
  const link = (href: string, label: string, current: boolean) => html`<li><a href="${href}" ${current ? html`aria-current="page"` : ''}>${label}</a></li>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${page.title} · ${options.title}</title>
<link rel="stylesheet" href="${options.path}${STYLESHEET}">
${page.live ? html`<script type="module" src="${CLIENT_SCRIPT_PATH}"></script>` : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="${options.path}">${options.title}</a>
  <nav aria-label="Admin sections"><ul>
    ${link(options.path, 'Overview', page.current === undefined)}
    ${pagedEntities(kernel).map((meta) => link(entityPath(options, meta), meta.name, page.current === meta.name))}
  </ul></nav>
  ${who ? html`<p class="who">Signed in as <strong>${who}</strong></p>` : ''}
</header>
${chrome.open ? html`<div class="banner" role="note"><strong>No sign-in protects this admin.</strong> This app has no auth plugin, so anyone who can reach this server can use it. That is allowed in development only; in production the admin is not mounted until you install <code>@starmodel/auth</code>.</div>` : ''}
<main id="main" tabindex="-1">
<h1>${page.title}</h1>
${page.content}
</main>
</body>
</html>`;
}

/** A status line after a successful action (announced politely by screen readers). */
export function notice(text: string | undefined): Html {
  return text ? html`<p class="notice ok" role="status">${text}</p>` : html``;
}

/** A form-level error (announced at once). */
export function alertBox(text: string | undefined, code?: string): Html {
  return text ? html`<div class="notice error" role="alert"><p>${text}</p>${code ? html`<p class="code"><code>${code}</code></p>` : ''}</div>` : html``;
}
