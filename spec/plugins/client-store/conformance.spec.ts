/**
 * The kernel's store conformance suite against the client stores. A client store keeps the
 * state in the browser, so the suite runs through a harness that plays the browser: what a save
 * returns is kept as the signed signals a browser would hold, and every `get` runs inside an event
 * whose signals are that browser's. The scenarios whose premise is server-side storage are
 * pending with the reason.
 */
import { ClientEntity, ClientStore, ReplayMemory, StateSigner } from '../../../plugins/client-store/index.js';
import { metaOf, runInDispatch, type EntityMeta, type FindQuery, type JsonObject, type SaveRequest, type Store, type StoredRecord } from '../../../kernel/index.js';
import { storeConformance } from '../../../kernel/testing/index.js';

class GuardedItem extends ClientEntity {
  static override store = 'client-local';
  static override replayProtection = true;
  name = '';
  rank = 0;
  active = false;
  tags: string[] = [];
}

class PlainItem extends ClientEntity {
  static override store = 'client-session';
  name = '';
  rank = 0;
  active = false;
  tags: string[] = [];
}

/** A client store as seen through one browser that keeps whatever each save sends it. */
class BrowserHarness implements Store {
  readonly browser = new Map<string, JsonObject>();
  constructor(readonly store: ClientStore) {}

  get(meta: EntityMeta, id: string): Promise<StoredRecord | undefined> {
    const held = this.browser.get(id);
    return runInDispatch({ signals: held ? { [meta.namespace]: held } : {}, locals: new Map() }, () => this.store.get(meta, id));
  }

  async save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord> {
    const saved = await this.store.save(meta, request);
    this.browser.set(request.id, this.store.signalsFor(meta, saved));
    return saved;
  }

  async delete(meta: EntityMeta, id: string, expectedVersion?: number): Promise<boolean> {
    const forgotten = await this.store.delete(meta, id, expectedVersion);
    return this.browser.delete(id) || forgotten;
  }

  find(meta: EntityMeta, query: FindQuery) {
    return this.store.find(meta, query);
  }

  /** A rolled-back commit never reaches the browser: it keeps the previous state. */
  async restore(meta: EntityMeta, id: string, previous: StoredRecord | undefined, writtenVersion: number): Promise<void> {
    await this.store.restore(meta, id, previous, writtenVersion);
    if (previous) this.browser.set(id, this.store.signalsFor(meta, previous));
    else this.browser.delete(id);
  }
}

const harness = (name: 'client-local' | 'client-session') => new BrowserHarness(new ClientStore(name, new StateSigner('spec-secret-conformance'), new ReplayMemory({ ttlMs: 60_000, maxEntries: 1000 })));
const cleanup = async (store: Store, meta: EntityMeta) => {
  const browser = (store as BrowserHarness).browser;
  for (const id of [...browser.keys()]) await store.delete(meta, id);
};
const serverSide = {
  ttl: 'browser storage has no expiry (sessionStorage ends with the tab, localStorage when the user clears it)',
  find: 'find is not supported: each state lives in one browser and the server cannot list them',
  order: 'find is not supported: each state lives in one browser and the server cannot list them',
  paging: 'find is not supported: each state lives in one browser and the server cannot list them',
};

storeConformance('client-local with replayProtection (through a browser harness)', () => harness('client-local'), {
  meta: metaOf(GuardedItem), cleanup, skip: serverSide,
});

storeConformance('client-session without replayProtection (through a browser harness)', () => harness('client-session'), {
  meta: metaOf(PlainItem), cleanup,
  skip: {
    ...serverSide,
    versions: 'without replayProtection the server remembers no version, so a stale write cannot be told from a current one',
    restore: 'without replayProtection the server keeps nothing that a rollback could undo',
    concurrency: 'without replayProtection the server remembers no version, so concurrent writers of one version all succeed',
  },
});
