/**
 * One audit row: who ran which event on which entity, with which arguments, and when.
 */
import { Entity, field, z } from 'starmodel';

/** A recorded command. Read-only for clients: it has no events besides the built-in record ones. */
export class AuditEntry extends Entity {
  static override scope = 'record' as const;
  static override access = { read: 'admin', write: 'admin' };
  /** Milliseconds since the epoch. */
  at = 0;
  entity = '';
  entityId = '';
  event = '';
  /** The validated arguments, as JSON text. */
  @field(z.string().max(10_000)) args = '{}';
  /** Session or user that caused it. */
  actor = '';
  /** The entity's version after the change. */
  version = 0;
}
