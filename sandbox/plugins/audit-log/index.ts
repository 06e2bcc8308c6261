/**
 * starmodel-audit-log: an example plugin that lives outside the workspaces and is installed into
 * the sandbox as an ordinary dependency. It taps `commit` after the store wrote, records the command
 * in an AuditEntry record, and registers an undo so a commit that fails later leaves no entry.
 */
import { randomUUID } from 'node:crypto';
import { STAGE_AFTER_PERSIST, type StarmodelPlugin } from 'starmodel';
import { AuditEntry } from './audit-entry.js';

export { AuditEntry } from './audit-entry.js';

/** Options: `store` for the audit rows (default 'memory'; 'sql' keeps them in a table). */
export default function auditLog(options: Readonly<Record<string, unknown>> = {}): StarmodelPlugin {
  const store = typeof options.store === 'string' ? options.store : 'memory';
  return {
    setup(api) {
      AuditEntry.store = store;
      api.hooks.setup.tap(() => {
        api.register(AuditEntry);
      });
      api.hooks.commit.tap(async (unit) => {
        if (unit.meta.cls === AuditEntry) return;
        const meta = api.kernel.registry.get(AuditEntry);
        const entryStore = api.kernel.storeFor(meta);
        const id = randomUUID();
        const { actor } = unit.command;
        await entryStore.save(meta, {
          id, expectedVersion: 0,
          state: {
            at: unit.command.at, entity: unit.meta.name, entityId: unit.id, event: unit.command.event,
            args: JSON.stringify(unit.command.args), actor: actor.userId ?? actor.sessionId ?? '', version: unit.expectedVersion + 1,
          },
        });
        unit.onRollback(() => entryStore.restore(meta, id, undefined, 1));
      }, { stage: STAGE_AFTER_PERSIST });
    },
  };
}
