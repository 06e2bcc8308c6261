/**
 * @module @starmodel/admin/views/overview
 * `/admin`: every registered entity (store, scope, events, plugin of origin, record count), the
 * loaded plugins with the hooks each taps, and the panels other plugins added.
 */
import { html, type EntityMeta, type Html } from 'starmodel';
import { adminPage, entityPath, type Chrome } from './layout.js';

/** A record count, or why there is none. */
export type CountCell = { readonly count: number } | { readonly problem: string } | undefined;

/** One row of the entity table. */
export interface EntityRow {
  readonly meta: EntityMeta;
  readonly origin: string;
  /** Undefined for entities that are not records (nothing to count). */
  readonly count: CountCell;
}

/** One row of the plugin table. */
export interface PluginRow {
  readonly name: string;
  readonly version: string;
  readonly provides: readonly string[];
  readonly requires: readonly string[];
  /** `hook@stage` for each tap, in hook order. */
  readonly taps: readonly string[];
}

/** A panel with its rendered content. */
export interface PanelView {
  readonly id: string;
  readonly title: string;
  readonly content: Html;
}

const list = (items: readonly string[]) => (items.length > 0 ? html`${items.join(', ')}` : html`<span class="none" aria-label="none">—</span>`);

function scopeText(meta: EntityMeta): string {
  if (meta.scope === 'record') return 'record (a table of records)';
  if (meta.scope === 'global') return 'global (one shared)';
  if (meta.scope === 'user') return 'user (one per signed-in user)';
  return meta.cls.identify ? `${meta.scope} (custom identify)` : 'session (one per browser session)';
}

function countCell(count: CountCell): Html {
  if (count === undefined) return html`<span class="none" aria-label="not counted">—</span>`;
  if ('problem' in count) return html`<span class="none" title="${count.problem}">—<span class="vh"> (${count.problem})</span></span>`;
  return html`${count.count}`;
}

function eventsCell(meta: EntityMeta): Html {
  const events = [...meta.events.values()].filter((eventMeta) => !eventMeta.options.internal);
  if (events.length === 0) return list([]);
  return html`<ul class="inline">${events.map((eventMeta) => html`<li ${eventMeta.builtIn ? html`class="builtin"` : ''}>${eventMeta.name}${eventMeta.builtIn ? html`<span class="vh"> (built in)</span>` : ''}${eventMeta.options.background ? html` <span class="tag">background</span>` : ''}</li>`)}</ul>`;
}

function entityName(chrome: Chrome, meta: EntityMeta): Html {
  return meta.scope === 'record' || meta.scope === 'global' ? html`<a href="${entityPath(chrome.options, meta)}">${meta.name}</a>` : html`${meta.name}`;
}

/** The overview page. */
export function overviewPage(chrome: Chrome, entities: readonly EntityRow[], plugins: readonly PluginRow[], panels: readonly PanelView[]): Html {
  const content = html`<section aria-labelledby="entities-title">
<h2 id="entities-title">Entities</h2>
<div class="table-wrap" role="region" aria-labelledby="entities-caption" tabindex="0">
<table class="overview" id="entities">
<caption id="entities-caption">${entities.length} registered ${entities.length === 1 ? 'entity' : 'entities'}. Record and global entities link to their pages; session and user entities are listed only.</caption>
<thead><tr><th scope="col">Entity</th><th scope="col">Scope</th><th scope="col">Store</th><th scope="col">Events</th><th scope="col">From</th><th scope="col" class="num">Records</th></tr></thead>
<tbody>${entities.map((row) => html`<tr data-entity="${row.meta.name}">
<th scope="row">${entityName(chrome, row.meta)}</th><td>${scopeText(row.meta)}</td><td>${row.meta.store}</td><td>${eventsCell(row.meta)}</td><td>${row.origin}</td><td class="num" data-count>${countCell(row.count)}</td>
</tr>`)}</tbody>
</table>
</div>
</section>
<section aria-labelledby="plugins-title">
<h2 id="plugins-title">Plugins</h2>
<div class="table-wrap" role="region" aria-labelledby="plugins-caption" tabindex="0">
<table class="overview" id="plugins">
<caption id="plugins-caption">${plugins.length} loaded ${plugins.length === 1 ? 'plugin' : 'plugins'}, in load order, with the kernel hooks each taps (hook@stage).</caption>
<thead><tr><th scope="col">Plugin</th><th scope="col">Version</th><th scope="col">Provides</th><th scope="col">Requires</th><th scope="col">Hooks tapped</th></tr></thead>
<tbody>${plugins.map((plugin) => html`<tr data-plugin="${plugin.name}">
<th scope="row">${plugin.name}</th><td>${plugin.version}</td><td>${list(plugin.provides)}</td><td>${list(plugin.requires)}</td><td data-taps>${list(plugin.taps)}</td>
</tr>`)}</tbody>
</table>
</div>
</section>
${panels.map((panel) => html`<section class="panel" id="panel-${panel.id}" aria-labelledby="panel-${panel.id}-title">
<h2 id="panel-${panel.id}-title">${panel.title}</h2>
${panel.content}
</section>`)}`;
  return adminPage(chrome, { title: 'Overview', content });
}
