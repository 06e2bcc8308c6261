/**
 * @module @starmodel/client-store
 * Client stores: entities kept in the browser's localStorage (`client-local`) or sessionStorage
 * (`client-session`), signed with the app secret so a client cannot forge them. The server keeps
 * no copy: every event rebuilds the entity from the signals the browser sends, checks the
 * signature first, and sends the changed fields back with a new signature.
 *
 * ```ts
 * export class Prefs extends ClientEntity {
 *   static override store = 'client-local';
 *   theme = 'light';
 *   @event() setTheme(theme = 'light') { this.theme = theme; }
 * }
 * // in a page: ${await page.load(Prefs)} renders the element that keeps its signals in localStorage
 * ```
 */
import { randomBytes } from 'node:crypto';
import { cloneJson, StarmodelError, STAGE_VALIDATE, stateOf, type EntityMeta, type PluginApi, type StarmodelPlugin } from 'starmodel';
import type { WebService } from '@starmodel/koa';
import { ClientEntity, SIGNER_LOCAL } from './entity.js';
import { SIGNATURE_FIELD } from './errors.js';
import { parseClientStoreOptions } from './options.js';
import { declarePersistedNamespace, isClientStore } from './render.js';
import { ReplayMemory } from './replay.js';
import { canonicalJson, StateSigner } from './signer.js';
import { ClientStore } from './store.js';

export { ClientEntity, newClientId } from './entity.js';
export { persisted, resetAction, persistPattern, isClientStore, CLIENT_STORES, STORAGE_KEY } from './render.js';
export type { ClientStoreName } from './render.js';
export { ClientStore, replayProtected } from './store.js';
export { StateSigner, canonicalJson } from './signer.js';
export type { SignedState } from './signer.js';
export { ReplayMemory } from './replay.js';
export type { ReplayLimits } from './replay.js';
export { SIGNATURE_FIELD } from './errors.js';
export type { ClientStoreOptions } from './options.js';

function secretOf(api: PluginApi): string {
  if (api.kernel.secret) return api.kernel.secret;
  if (process.env.NODE_ENV === 'production') {
    throw new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: 'secret', reason: 'client stores sign browser-held state with the app secret, and production needs a fixed one: set STARMODEL_SECRET (32+ random characters) or `secret` in the config.' });
  }
  api.log.warn('no secret configured (STARMODEL_SECRET): client-store state is signed with a random key, so states kept in browsers are refused after the process restarts.');
  return randomBytes(32).toString('base64url');
}

/** Refuses entity classes that cannot live in the browser, with the reason. */
function checkClientEntity(meta: EntityMeta): void {
  const invalid = (reason: string) => new StarmodelError('SM_ENTITY_INVALID', { entity: meta.name, reason });
  const isClientClass = meta.cls.prototype instanceof ClientEntity;
  if (!isClientStore(meta.store)) {
    if (isClientClass) throw invalid(`it extends ClientEntity but uses store "${meta.store}"; set \`static store = 'client-local'\` or 'client-session'.`);
    return;
  }
  if (!isClientClass) throw invalid(`store "${meta.store}" keeps entities in the browser: extend ClientEntity from @starmodel/client-store (it carries the signature and the browser-side identity).`);
  if (meta.scope === 'record') throw invalid(`records cannot use store "${meta.store}": the server cannot list or look up states kept in browsers.`);
  if (meta.hidden.size > 0) throw invalid(`hidden fields (${[...meta.hidden].join(', ')}) cannot be kept in the browser; use a server store for them.`);
  if (Object.hasOwn(meta.fields, SIGNATURE_FIELD)) throw invalid(`"${SIGNATURE_FIELD}" is the signature signal of client entities; rename the field.`);
  // A first render's state is unsigned and accepted only while it equals the defaults: they must not vary.
  if (canonicalJson(cloneJson(meta.defaults)) !== canonicalJson(stateOf(meta, new meta.cls()))) {
    throw invalid('its field defaults differ between instances (a date or random value?); client entities need constant defaults.');
  }
}

/** Creates the client-store plugin from its config options. */
export default function clientStorePlugin(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const parsed = parseClientStoreOptions(options);
  return {
    setup(api) {
      const signer = new StateSigner(secretOf(api));
      const replay = new ReplayMemory({ ttlMs: parsed.replayTtlSeconds * 1000, maxEntries: parsed.replayMaxEntries });
      api.provideStore('client-local', new ClientStore('client-local', signer, replay));
      api.provideStore('client-session', new ClientStore('client-session', signer, replay));

      const dialect = (api.kernel.config.datastar as { dialect?: unknown } | undefined)?.dialect;
      if (dialect === 'v1') {
        api.log.warn('Datastar dialect v1: the free v1 client has no data-persist (it is a Datastar Pro attribute), so client-store states are not kept by the browser unless it runs a client that has it.');
      }

      // The getter `sig` signs with the signer of the kernel that runs the event.
      api.hooks.dispatch.tap((command, context) => {
        if (isClientStore(command.meta.store)) context.locals.set(SIGNER_LOCAL, signer);
        return undefined;
      }, { stage: STAGE_VALIDATE });

      const liveRoutes = new Set<string>();
      api.hooks.entity.tap((meta) => {
        checkClientEntity(meta);
        if (!isClientStore(meta.store)) return;
        declarePersistedNamespace(meta.store, meta.namespace);
        liveRoutes.add(`/${meta.route}/live`);
      });

      // A live stream would load the entity outside an event (defaults) and overwrite the
      // browser's restored state with them: client entities have none.
      const web: WebService | undefined = api.kernel.service('web');
      web?.use(async (ctx, next) => {
        if (ctx.method !== 'GET' || !liveRoutes.has(ctx.path)) return next();
        const error = new StarmodelError('SM_WEB_NOT_FOUND', { path: ctx.path });
        ctx.status = error.status;
        ctx.body = error.toJSON();
      });
    },
  };
}
