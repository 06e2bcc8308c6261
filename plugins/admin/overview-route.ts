/**
 * @module @starmodel/admin/overview-route
 * `GET /admin`: gathers the overview: entities with record counts (each bounded in time: a store
 * that is down or slow shows a dash, never a hanging page), plugins with their taps, and panels.
 */
import { describeTaps, Kernel, isStarmodelError, type EntityMeta } from 'starmodel';
import { guarded, sendPage, type AdminDeps } from './http.js';
import { renderPanel } from './panels.js';
import { overviewPage, type CountCell, type PluginRow } from './views/overview.js';

/** The number of records of a type, or why it could not be had within `timeoutMs`. */
export async function countRecords(kernel: Kernel, meta: EntityMeta, timeoutMs: number): Promise<CountCell> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const total = await Promise.race([
      kernel.find(meta.cls, { limit: 1 }).then((result) => result.total),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { count: total };
  } catch (error) {
    const reason = isStarmodelError(error) && error.expose ? error.message : error instanceof Error && error.message.startsWith('no answer') ? error.message : 'the store could not count';
    return { problem: `count unavailable: ${reason}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Each plugin (the kernel first) with the hooks it taps, as `hook@stage`. */
export function pluginRows(kernel: Kernel): PluginRow[] {
  const taps = describeTaps(kernel.hooks);
  const tapsOf = (name: string) => Object.entries(taps).flatMap(([hook, list]) => list.filter((tap) => tap.name === name).map((tap) => `${hook}@${tap.stage}`));
  return [
    { name: 'starmodel', version: Kernel.version, provides: ['store:memory'], requires: [], taps: tapsOf('starmodel') },
    ...kernel.plugins.map((plugin) => ({ name: plugin.name, version: plugin.version, provides: plugin.provides, requires: plugin.requires, taps: tapsOf(plugin.name) })),
  ];
}

/** Adds `GET <path>`. */
export function installOverview(deps: AdminDeps): void {
  const { kernel, options, panels, log } = deps;
  deps.web.router.get(options.path, guarded(deps, async (ctx, chrome) => {
    const entities = await Promise.all(kernel.registry.all().map(async (meta) => ({
      meta, origin: kernel.originOf(meta.name),
      count: meta.scope === 'record' ? await countRecords(kernel, meta, options.countTimeoutMs) : undefined,
    })));
    const context = { user: chrome.state.user, adminPath: options.path };
    const panelViews = await Promise.all(panels.list().map(async (panel) => ({ id: panel.id, title: panel.title, content: await renderPanel(panel, context, options.panelTimeoutMs, log) })));
    sendPage(ctx, overviewPage(chrome, entities, pluginRows(kernel), panelViews));
  }));
}
