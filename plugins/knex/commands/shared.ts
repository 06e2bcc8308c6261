/**
 * @module @starmodel/knex/commands/shared
 * What the SQL commands share: the command contract (the shape the `starmodel` CLI loads from a
 * manifest's `commands`), and the app's SQL store with its entity tables.
 */
import type { App, EntityMeta } from 'starmodel';
import { driverMessage } from '../errors.js';
import { KnexStore } from '../store.js';
import type { TableSpec } from '../tables.js';

/** What the CLI hands a command (mirrors the kernel's CommandContext, which `starmodel` does not export). */
export interface SqlCommandContext {
  readonly argv: readonly string[];
  readonly cwd: string;
  app(): Promise<App>;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly input: NodeJS.ReadableStream;
}

/** A CLI command module's default export. */
export interface SqlCommand {
  readonly summary: string;
  readonly usage?: string;
  run(context: SqlCommandContext): Promise<number>;
}

/** The SQL side of the app a command works on. */
export interface SqlApp {
  readonly app: App;
  readonly store: KnexStore;
  readonly entities: readonly EntityMeta[];
  readonly tables: readonly TableSpec[];
}

function isKnexStore(value: unknown): value is KnexStore {
  return value instanceof KnexStore || (typeof value === 'object' && value !== null && 'migrationsDir' in value && 'useAppDir' in value && 'tableOf' in value);
}

/** Loads the app (not started: no server, no table created) and finds its SQL store. */
export async function sqlApp(context: SqlCommandContext): Promise<SqlApp> {
  const app = await context.app();
  const store = app.kernel.store('sql');
  if (!isKnexStore(store)) throw new Error('this app has no SQL store: add @starmodel/knex to its dependencies (or enable it in starmodel.config.ts).');
  store.useAppDir(context.cwd);
  const entities = app.kernel.registry.all().filter((meta) => meta.store === 'sql');
  return { app, store, entities, tables: entities.map((meta) => store.tableOf(meta)) };
}

/** Connects now, so a database that cannot be reached is reported plainly before any work. */
export async function connect(store: KnexStore): Promise<void> {
  try {
    await store.knex.raw('select 1');
  } catch (error) {
    throw new Error(`cannot reach ${store.database.description}: ${driverMessage(error)}. Check DATABASE_URL (or the plugin's connection options) and that the database is running.`);
  }
}

/** Reads one line from the command's input (undefined at end of input). */
export async function ask(context: SqlCommandContext, question: string): Promise<string | undefined> {
  const { createInterface } = await import('node:readline');
  context.out.write(question);
  const lines = createInterface({ input: context.input, terminal: false });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}
