/**
 * @module @starmodel/koa
 * The StarModel web plugin: every `@event` becomes a Koa route speaking Datastar over SSE, every
 * entity gets a live stream, and pages are plain functions returning `html`.
 *
 * ```ts
 * // starmodel.config.ts
 * export default defineConfig({ plugins: { '@starmodel/koa': { port: 3000, pages: { '/': home } } } });
 * ```
 */
import type { StarmodelPlugin } from 'starmodel';
import { parseKoaOptions } from './options.js';
import { installWebServer } from './server.js';

export type { KoaOptions, PageHandler } from './options.js';
export type { PageContext } from './pages.js';
export type { ListOptions, ListTag, LiveList } from './lists.js';
export type { WebService } from './server.js';
export type { ReadGuard, RequestResolver, RequestState } from './session.js';
export { findQueryOf } from './records.js';
export { LiveRegistry } from './live.js';
export { CLIENT_SCRIPT_PATH } from './assets.js';

/** Creates the web plugin from its config options. */
export default function koaPlugin(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const parsed = parseKoaOptions(options);
  return {
    setup(api) {
      installWebServer(api, parsed);
    },
  };
}
