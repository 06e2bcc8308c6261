/**
 * @module @starmodel/admin
 * An admin interface generated from the registered entities, built with StarModel's own pieces:
 * an overview of entities and plugins (with panels other plugins add), a table per record entity
 * with paging, sorting, search and live updates, create and edit forms generated from the field
 * schemas, delete with confirmation, and a form per event. Every write runs through
 * `kernel.dispatch` as the signed-in admin.
 *
 * ```ts
 * // starmodel.config.ts
 * export default defineConfig({ plugins: { '@starmodel/admin': { path: '/admin', role: 'admin' } } });
 * // another plugin's setup: a panel on the overview
 * api.hooks.setup.tap(() => api.kernel.service('admin')?.addPanel({ id: 'queue', title: 'Queue', render: async () => html`<p>3 waiting</p>` }));
 * ```
 */
import { datastarAttributes, encoderFor, StarmodelError, type StarmodelPlugin } from 'starmodel';
import { accessPolicy } from './access.js';
import { parseAdminOptions } from './options.js';
import { PanelRegistry, type AdminService } from './panels.js';
import { installAdminRoutes } from './routes.js';

export type { AdminOptions } from './options.js';
export type { AdminPanel, AdminService, PanelContext } from './panels.js';
export type { AccessPolicy } from './access.js';

/** Creates the admin plugin from its config options. */
export default function adminPlugin(raw: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const options = parseAdminOptions(raw);
  return {
    setup(api) {
      const { kernel, log } = api;
      const web = kernel.service('web');
      if (!web) throw new StarmodelError('SM_PLUGIN_REQUIRES_MISSING', { plugin: api.name, requirement: 'web' });
      const panels = new PanelRegistry();
      const policy = accessPolicy(kernel, options);
      const service: AdminService = {
        path: options.path,
        mounted: policy.kind !== 'refused',
        addPanel: (panel) => panels.add(panel),
        panels: () => panels.list(),
      };
      api.provide('admin', service);

      if (policy.kind === 'refused') {
        log.error(`the admin is not mounted at ${options.path}: no auth plugin is loaded and NODE_ENV is production, so nothing would stop anyone from using it. Install @starmodel/auth (npm install @starmodel/auth) and give your admins the "${options.role}" role.`);
        return;
      }
      if (policy.kind === 'open-development') {
        log.warn(`the admin at ${options.path} is open to anyone who can reach this server: no auth plugin is loaded. Fine in development; install @starmodel/auth before production (the admin will not mount there without it).`);
      }
      const streams = new Set<() => void>();
      installAdminRoutes({ kernel, web, options, policy, panels, log, encoder: encoderFor(web.dialect), ds: datastarAttributes(web.dialect), streams });
      api.hooks.close.tap(() => {
        for (const end of [...streams]) end();
      });
    },
  };
}
