/**
 * The MongoDB the mongo specs talk to: the server at MONGO_URL when that is set (then it must
 * work: nothing is pending), else the in-process wire-compatible test server of
 * `@push.rocks/smartmongo` (congodb) on a free port. Every run gets its own database, dropped at
 * the end, so parallel runs and a shared real server stay clean.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { congodb } from '@push.rocks/smartmongo';

/** A MongoDB for one spec file. */
export interface SpecMongo {
  /** The connection string (without a database: pass `database` to the plugin). */
  readonly url: string;
  /** A database name unique to this run. */
  readonly database: string;
  /** True when MONGO_URL points at a real server. */
  readonly real: boolean;
  /** Stops the in-process server (a real server is left running). */
  stop(): Promise<void>;
}

type StoredDocument = Record<string, unknown> & { _id: unknown };
type ObjectIdLike = { toHexString(): string };

/**
 * The test server keys documents by ObjectId only (`new ObjectId('abc')` throws), while MongoDB
 * itself takes any value as `_id` and the store uses the entity id, a string. This storage keys
 * string ids apart from ObjectIds, as a real server does; everything else is the test server's
 * own code. (Its index engine still reads `_id.toHexString()` when an index is *added* to a
 * collection that already holds string ids; the store creates its indexes on first use, so the
 * specs never do that.)
 */
class StringIdStorage extends congodb.MemoryStorageAdapter {
  async #documents(database: string, collection: string): Promise<Map<string, StoredDocument>> {
    await this.createCollection(database, collection);
    const internals = this as unknown as { databases: Map<string, Map<string, Map<string, StoredDocument>>> };
    return internals.databases.get(database)!.get(collection)!;
  }

  override async insertOne(database: string, collection: string, doc: Parameters<congodb.MemoryStorageAdapter['insertOne']>[2]) {
    const id: unknown = doc._id;
    if (typeof id !== 'string') return super.insertOne(database, collection, doc);
    const documents = await this.#documents(database, collection);
    // "Duplicate key" is what the test server's insert handler turns into error code 11000.
    if (documents.has(`s:${id}`)) throw new Error(`Duplicate key error: _id ${id}`);
    const stored = { ...doc } as StoredDocument;
    documents.set(`s:${id}`, stored);
    return stored as unknown as Awaited<ReturnType<congodb.MemoryStorageAdapter['insertOne']>>;
  }

  override async findById(database: string, collection: string, id: Parameters<congodb.MemoryStorageAdapter['findById']>[2]) {
    if (typeof (id as unknown) !== 'string') return super.findById(database, collection, id);
    const found = (await this.#documents(database, collection)).get(`s:${String(id)}`);
    return (found ?? null) as Awaited<ReturnType<congodb.MemoryStorageAdapter['findById']>>;
  }

  override async updateById(database: string, collection: string, id: Parameters<congodb.MemoryStorageAdapter['updateById']>[2], doc: Parameters<congodb.MemoryStorageAdapter['updateById']>[3]) {
    if (typeof (id as unknown) !== 'string') return super.updateById(database, collection, id, doc);
    const documents = await this.#documents(database, collection);
    const key = `s:${String(id)}`;
    if (!documents.has(key)) return false;
    documents.set(key, doc as unknown as StoredDocument);
    return true;
  }

  override async deleteById(database: string, collection: string, id: Parameters<congodb.MemoryStorageAdapter['deleteById']>[2]) {
    if (typeof (id as unknown) !== 'string') return super.deleteById(database, collection, id);
    return (await this.#documents(database, collection)).delete(`s:${String(id)}`);
  }
}

/** A port nothing listens on right now (for "no server there" specs, and to start the test server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the in-process test server (string-id storage) on a free port on 127.0.0.1. */
export async function startTestServer(): Promise<{ url: string; stop(): Promise<void> }> {
  let lastError: unknown;
  // Another process may take the port between the probe and the listen: try a few ports.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const server = new congodb.CongoServer({ port, host: '127.0.0.1' });
    const storage = new StringIdStorage();
    const internals = server as unknown as { storage: congodb.IStorageAdapter; commandRouter: congodb.CommandRouter };
    internals.storage = storage;
    internals.commandRouter = new congodb.CommandRouter(storage, server);
    try {
      await server.start();
      return { url: `mongodb://127.0.0.1:${port}`, stop: () => server.stop() };
    } catch (error) {
      lastError = error;
      if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    }
  }
  throw lastError;
}

/** A database name no other run uses. */
export function uniqueDatabase(): string {
  return `sm_spec_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The MongoDB for a spec file: MONGO_URL if set, else a fresh in-process test server. */
export async function specMongo(): Promise<SpecMongo> {
  const database = uniqueDatabase();
  const real = process.env.MONGO_URL;
  if (real) return { url: real, database, real: true, stop: async () => {} };
  const server = await startTestServer();
  return { url: server.url, database, real: false, stop: () => server.stop() };
}
