/**
 * The kernel's store conformance suite against the SQL store: on a SQLite file, and on the
 * PostgreSQL of this machine (pending with the reason printed when there is none; CI fails).
 */
import { storeConformance } from '../../../kernel/testing/index.js';
import { KnexStore } from '../../../plugins/knex/index.js';
import { recordingLogger } from '../../fixtures/logger.js';
import { isolatedSchema, postgresUrl, removeTempFolders, sqliteStore, type IsolatedSchema } from './support.js';

after(removeTempFolders);

storeConformance('sql: sqlite', () => sqliteStore().store);

let schema: IsolatedSchema | undefined;
storeConformance('sql: postgres', async function (this: Mocha.Context) {
  const url = await postgresUrl(this);
  if (!url) return undefined;
  schema = await isolatedSchema(url);
  return new KnexStore({ connection: schema.url, logger: recordingLogger().logger });
}, {
  close: async (store) => {
    await store.close?.();
    await schema?.drop();
  },
});
