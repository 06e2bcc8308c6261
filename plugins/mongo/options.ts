/**
 * @module @starmodel/mongo/options
 * The MongoDB plugin's options, narrowed from the config's untyped values.
 */
import { StarmodelError } from 'starmodel';

/**
 * Options of `@starmodel/mongo` (in starmodel.config.ts: `plugins: { '@starmodel/mongo': { ... } }`).
 * With no `url` and no `MONGO_URL` the plugin is inert: the `mongo` store exists but answers 503
 * and nothing connects anywhere.
 */
export interface MongoPluginOptions {
  /** Connection string, `mongodb://` or `mongodb+srv://`. @default process.env.MONGO_URL */
  url?: string;
  /** Database name. @default the database in the URL's path, else 'starmodel' */
  database?: string;
  /** Put in front of every collection name (one collection per entity type, named after the class). @default '' */
  collectionPrefix?: string;
  /**
   * Milliseconds to look for a server before an operation fails with 503 SM_STORE_UNAVAILABLE.
   * @default the URL's `serverSelectionTimeoutMS`, else 5000 (the driver's own default is 30000,
   * far too long for a web request to hang)
   */
  serverSelectionTimeoutMS?: number;
  /** Largest number of pooled connections. @default the driver's (100) */
  maxPoolSize?: number;
  /**
   * Create the indexes the store needs when an entity is first used: the TTL index on `expiresAt`
   * and those an entity declares with `static indexes`. Turn off where indexes are managed
   * elsewhere (or the user may not create them). @default true
   */
  createIndexes?: boolean;
}

/** The options after checking, with the URL resolved (undefined: inert). */
export interface ResolvedMongoOptions {
  readonly url: string | undefined;
  readonly database: string;
  readonly collectionPrefix: string;
  readonly serverSelectionTimeoutMS: number | undefined;
  readonly maxPoolSize: number | undefined;
  readonly createIndexes: boolean;
}

const DEFAULT_DATABASE = 'starmodel';
const DEFAULT_SELECTION_TIMEOUT_MS = 5000;

/** The database named in a connection string's path (`mongodb://host/db?x=y`), if any. */
export function databaseOfUrl(url: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]*)/i.exec(url);
  const name = match?.[1] ? decodeURIComponent(match[1]) : '';
  return name.length > 0 ? name : undefined;
}

/** Checks the config's options (and MONGO_URL), naming the key that is wrong. */
export function parseMongoOptions(raw: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): ResolvedMongoOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["@starmodel/mongo"].${key}`, reason });
  const { url, database, collectionPrefix, serverSelectionTimeoutMS, maxPoolSize, createIndexes } = raw;
  if (url !== undefined && typeof url !== 'string') throw fail('url', 'must be a mongodb:// connection string.');
  const resolvedUrl = (url || env.MONGO_URL || '').trim() || undefined;
  if (resolvedUrl !== undefined && !/^mongodb(\+srv)?:\/\//i.test(resolvedUrl)) {
    // Never echo the value: it may hold a password.
    const key = url ? 'url' : 'url (from MONGO_URL)';
    throw fail(key, 'must start with mongodb:// or mongodb+srv://.');
  }
  if (database !== undefined && (typeof database !== 'string' || !/^[^/\\. "$*<>:|?]{1,63}$/.test(database))) {
    throw fail('database', 'must be a MongoDB database name: 1 to 63 characters, none of / \\ . " $ * < > : | ? or space.');
  }
  if (collectionPrefix !== undefined && (typeof collectionPrefix !== 'string' || /[$\0]/.test(collectionPrefix))) {
    throw fail('collectionPrefix', 'must be a string without "$".');
  }
  const positive = (key: string, value: unknown) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw fail(key, 'must be a whole number above 0.');
    return value;
  };
  const selection = positive('serverSelectionTimeoutMS', serverSelectionTimeoutMS);
  const pool = positive('maxPoolSize', maxPoolSize);
  if (createIndexes !== undefined && typeof createIndexes !== 'boolean') throw fail('createIndexes', 'must be true or false.');
  const urlSetsSelection = resolvedUrl !== undefined && /[?&]serverSelectionTimeoutMS=/i.test(resolvedUrl);
  return {
    url: resolvedUrl,
    database: (database as string | undefined) ?? (resolvedUrl ? databaseOfUrl(resolvedUrl) : undefined) ?? DEFAULT_DATABASE,
    collectionPrefix: (collectionPrefix as string | undefined) ?? '',
    serverSelectionTimeoutMS: selection ?? (urlSetsSelection ? undefined : DEFAULT_SELECTION_TIMEOUT_MS),
    maxPoolSize: pool,
    createIndexes: (createIndexes as boolean | undefined) ?? true,
  };
}
