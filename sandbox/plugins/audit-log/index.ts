/**
 * starmodel-audit-log: an example plugin that lives outside the workspaces and is installed into
 * the sandbox as an ordinary dependency. It taps `commit` after the store wrote, records the command
 * in an AuditEntry record, and registers an undo so a commit that fails later leaves no entry.
 *
 * It records what the kernel hands it: `unit.command` is the *record* of the command, whose
 * secrets (password-like arguments, hidden fields, arguments marked `sensitive()`, the session id)
 * the kernel already replaced with `[redacted]`. It keeps at most `maxRows` entries, dropping the
 * oldest, so a flood of events cannot grow it without bound.
 */
import { randomUUID } from 'node:crypto';
import { REDACTED, STAGE_AFTER_PERSIST, StarmodelError, type EntityMeta, type StarmodelPlugin, type Store } from 'starmodel';
import { AuditEntry } from './audit-entry.js';

export { AuditEntry } from './audit-entry.js';

/** Options of the plugin (in starmodel.config.ts: `plugins: { 'starmodel-audit-log': { ... } }`). */
export interface AuditLogOptions {
  /** Store of the audit rows: 'memory' (default) or 'sql' for a table. */
  readonly store: string;
  /** Rows kept; past it the oldest are deleted. @default 1000 */
  readonly maxRows: number;
}

/** The default bound on audit rows. */
export const DEFAULT_MAX_ROWS = 1000;

/** Narrows the config's untyped options, refusing wrong types with the key named. */
export function parseAuditLogOptions(raw: Readonly<Record<string, unknown>>): AuditLogOptions {
  const fail = (key: string, reason: string) => new StarmodelError('SM_CONFIG_INVALID', { file: 'starmodel.config.ts', key: `plugins["starmodel-audit-log"].${key}`, reason });
  const store = raw.store ?? 'memory';
  if (typeof store !== 'string' || store === '') throw fail('store', 'must be the name of a store, such as "memory" or "sql".');
  const maxRows = raw.maxRows ?? DEFAULT_MAX_ROWS;
  if (typeof maxRows !== 'number' || !Number.isInteger(maxRows) || maxRows < 1) throw fail('maxRows', 'must be a whole number of at least 1.');
  return { store, maxRows };
}

/** Who caused a command, as an audit row shows it: the user, else an anonymous session, else server code. */
function actorOf(actor: { readonly sessionId?: string; readonly userId?: string }): string {
  return actor.userId ?? (actor.sessionId !== undefined ? 'anonymous' : 'server');
}

/**
 * The ids of the rows kept, oldest first (a Map keeps insertion order), and the trimming that
 * keeps them at most `maxRows`.
 */
class Rows {
  readonly #ids = new Map<string, true>();
  constructor(private readonly maxRows: number) {}

  add(id: string): void {
    this.#ids.set(id, true);
  }

  remove(id: string): void {
    this.#ids.delete(id);
  }

  /** Deletes the oldest rows past the bound. */
  async trim(store: Store, meta: EntityMeta): Promise<void> {
    while (this.#ids.size > this.maxRows) {
      const oldest = this.#ids.keys().next().value as string;
      this.#ids.delete(oldest);
      await store.delete(meta, oldest);
    }
  }

  /** Learns the rows a store already holds (a SQL table from an earlier run), oldest first. */
  async load(store: Store, meta: EntityMeta): Promise<void> {
    const pageSize = 1000;
    const found: string[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const page = await store.find(meta, { orderBy: [{ field: 'at' }, { field: 'id' }], limit: pageSize, offset });
      for (const record of page.items) found.push(record.id);
      if (page.items.length < pageSize) break;
    }
    const known = [...this.#ids.keys()];
    this.#ids.clear();
    for (const id of [...found, ...known]) this.#ids.set(id, true);
  }
}

/** Options: `store` for the audit rows (default 'memory'; 'sql' keeps them in a table), `maxRows` (default 1000). */
export default function auditLog(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const parsed = parseAuditLogOptions(options);
  const rows = new Rows(parsed.maxRows);
  return {
    setup(api) {
      AuditEntry.store = parsed.store;
      const meta = () => api.kernel.registry.get(AuditEntry);
      api.hooks.setup.tap(() => {
        api.register(AuditEntry);
      });
      api.hooks.ready.tap(async () => {
        const entryStore = api.kernel.storeFor(meta());
        await rows.load(entryStore, meta());
        await rows.trim(entryStore, meta());
      });
      api.hooks.commit.tap(async (unit) => {
        if (unit.meta.cls === AuditEntry) return;
        const entryMeta = meta();
        const entryStore = api.kernel.storeFor(entryMeta);
        const id = randomUUID();
        const { actor } = unit.command;
        await entryStore.save(entryMeta, {
          id, expectedVersion: 0,
          state: {
            at: unit.command.at, entity: unit.meta.name,
            // A session-scoped entity's id is the session id: recorded as redacted, like the actor's.
            entityId: unit.meta.scope === 'session' ? REDACTED : unit.id,
            event: unit.command.event, args: JSON.stringify(unit.command.args), actor: actorOf(actor), version: unit.expectedVersion + 1,
          },
        });
        rows.add(id);
        unit.onRollback(async () => {
          rows.remove(id);
          await entryStore.restore(entryMeta, id, undefined, 1);
        });
        await rows.trim(entryStore, entryMeta);
      }, { stage: STAGE_AFTER_PERSIST });
    },
  };
}
