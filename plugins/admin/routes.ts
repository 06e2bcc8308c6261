/**
 * @module @starmodel/admin/routes
 * Mounts every admin route on the web plugin's router, the stylesheet first (it is public: it
 * holds no data, and the sign-in and error pages use it).
 */
import { readFile } from 'node:fs/promises';
import { installGlobalRoutes } from './global-routes.js';
import type { AdminDeps } from './http.js';
import { installOverview } from './overview-route.js';
import { installRecordRoutes } from './record-routes.js';
import { installRecordsRoutes } from './records-routes.js';
import { STYLESHEET } from './views/layout.js';

/** Adds the admin's routes under `options.path`. */
export function installAdminRoutes(deps: AdminDeps): void {
  const { web, options } = deps;
  let stylesheet: Promise<Buffer> | undefined;
  web.router.get(`${options.path}${STYLESHEET}`, async (ctx) => {
    stylesheet ??= readFile(new URL('./admin.css', import.meta.url));
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = await stylesheet;
  });
  installOverview(deps);
  installRecordsRoutes(deps);
  installGlobalRoutes(deps);
  installRecordRoutes(deps);
}
