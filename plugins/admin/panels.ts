/**
 * @module @starmodel/admin/panels
 * Panels other plugins add to the overview (a queue's jobs, a store's health ...) through the
 * admin's service, so the admin knows no plugin by name.
 */
import { html, Html, StarmodelError, type Logger } from 'starmodel';

/** What a panel's `render` is told about the request. */
export interface PanelContext {
  /** The signed-in admin, when an auth plugin resolved one. */
  readonly user: { readonly id: string; readonly roles?: readonly string[] } | undefined;
  /** Where the admin is mounted (`/admin`), for links. */
  readonly adminPath: string;
}

/** A panel on the admin overview. */
export interface AdminPanel {
  /** Unique, lower-case (`jobs`, `redis-health`): the section's id is `panel-<id>`. */
  readonly id: string;
  /** The panel's heading. */
  readonly title: string;
  /** The panel's content, rendered for each overview request. Build it with `html` (escaped). */
  render(context: PanelContext): Promise<Html> | Html;
}

/** What the admin plugin offers other plugins (`kernel.service('admin')`). */
export interface AdminService {
  /** Where the admin is mounted (`/admin`). */
  readonly path: string;
  /** False when the admin is not mounted (production without an auth plugin): panels are never shown. */
  readonly mounted: boolean;
  /**
   * Adds a panel to the overview. Call it from your plugin's `setup` hook tap (or declare
   * `requires: ["admin"]`), so the admin's service exists whatever the plugin order.
   * Throws SM_CONFIG_INVALID for a malformed or duplicate id.
   */
  addPanel(panel: AdminPanel): void;
  /** The panels added so far, in the order they were added. */
  panels(): readonly AdminPanel[];
}

declare module 'starmodel' {
  interface Services {
    admin: AdminService;
  }
}

const PANEL_ID = /^[a-z][a-z0-9-]{0,39}$/;

/** The panels of one admin, in the order they were added. */
export class PanelRegistry {
  readonly #panels: AdminPanel[] = [];

  add(panel: AdminPanel): void {
    const fail = (reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'an admin panel', key: String((panel as { id?: unknown } | undefined)?.id), reason });
    if (typeof panel !== 'object' || panel === null) throw fail('a panel is { id, title, render(context) }.');
    if (typeof panel.id !== 'string' || !PANEL_ID.test(panel.id)) throw fail('the id must be lower-case letters, digits and dashes (e.g. "jobs").');
    if (typeof panel.title !== 'string' || panel.title.trim() === '') throw fail('the title must be a non-empty text.');
    if (typeof panel.render !== 'function') throw fail('render must be a function returning html.');
    if (this.#panels.some((known) => known.id === panel.id)) throw fail(`another panel already has the id "${panel.id}".`);
    this.#panels.push(panel);
  }

  list(): readonly AdminPanel[] {
    return [...this.#panels];
  }
}

/** Renders one panel's content, bounded in time; a failing or slow panel shows a notice instead. */
export async function renderPanel(panel: AdminPanel, context: PanelContext, timeoutMs: number, log: Logger): Promise<Html> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const rendered = await Promise.race([
      Promise.resolve().then(() => panel.render(context)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`it took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return rendered instanceof Html ? rendered : html`${String(rendered)}`;
  } catch (error) {
    log.error(`admin panel "${panel.id}" failed: ${error instanceof Error ? error.message : String(error)}`);
    return html`<p class="notice error">This panel could not be shown. The server log says why.</p>`;
  } finally {
    clearTimeout(timer);
  }
}
