/**
 * @module @starmodel/client-store/store
 * The client stores. The server keeps no copy of the state: `get` rebuilds it from the signals
 * the browser sent with the event (the dispatch context), after checking the server's signature;
 * `save` keeps nothing but the new version (for replay protection) and the new signature reaches
 * the browser through the entity's `sig` signal in the event's patch.
 */
import { cloneJson, currentDispatch, useDispatchContext, VersionConflict, type EntityMeta, type FindQuery, type FindResult, type JsonObject, type SaveRequest, type Store, type StoredRecord } from 'starmodel';
import { namespaceIn, signingTime, SIGNER_LOCAL } from './entity.js';
import { forgedState, forgottenState, SIGNATURE_FIELD, staleState, unsupported } from './errors.js';
import { canonicalJson, StateSigner } from './signer.js';
import type { ReplayMemory } from './replay.js';
import type { ClientStoreName } from './render.js';

/** True when the entity class asks for replay protection (`static replayProtection = true`). */
export function replayProtected(meta: EntityMeta): boolean {
  return (meta.cls as { replayProtection?: unknown }).replayProtection === true;
}

/** A store whose entities live in the browser (`client-local` or `client-session`). */
export class ClientStore implements Store {
  constructor(
    readonly name: ClientStoreName,
    readonly signer: StateSigner,
    private readonly replay: ReplayMemory,
  ) {
    // Reads the dispatch context (currentDispatch) in get/save.
    useDispatchContext();
  }

  /**
   * The state the browser sent for this entity, checked: undefined when it sent none (a new
   * state) or sent the unsigned defaults of a first render; a StarmodelError (400) when the
   * signature does not match, is missing, or (with replay protection) names an older version.
   * Outside an event there is no browser to ask: undefined (defaults).
   */
  async get(meta: EntityMeta, id: string): Promise<StoredRecord | undefined> {
    const dispatch = currentDispatch();
    if (!dispatch) return undefined;
    dispatch.locals.set(SIGNER_LOCAL, this.signer);
    const sent = namespaceIn(dispatch.signals, meta.namespace);
    if (!sent) return undefined;
    if (sent.id !== id) throw forgedState(meta.name, 'belongs to another id');
    const fields = fieldsOf(meta, sent);
    const token = sent[SIGNATURE_FIELD];
    if (token === undefined || token === '') {
      // A first render's state: unsigned, and acceptable only while it holds exactly the defaults.
      if (canonicalJson(fields) !== canonicalJson(cloneJson(meta.defaults))) throw forgedState(meta.name, 'has changed values but no signature');
      // The defaults are what any new state starts from: only a remembered newer version refuses them.
      if (replayProtected(meta)) {
        const latest = this.replay.latest(meta.name, id);
        if (latest !== undefined) throw staleState(meta.name, 0, latest);
      }
      return undefined;
    }
    const info = typeof token === 'string' ? StateSigner.parse(token) : undefined;
    if (!info) throw forgedState(meta.name, 'has a malformed signature');
    if (!this.signer.verify(token as string, { type: meta.name, id, fields })) throw forgedState(meta.name, 'does not match its signature (it was changed outside this app, or signed with another secret)');
    this.#checkReplay(meta, id, info.version, info.signedAt);
    // updatedAt is the signing time: a rollback (restore) remembers the previous version with it.
    return { id, version: info.version, state: fields, createdAt: Date.now(), updatedAt: info.signedAt };
  }

  #checkReplay(meta: EntityMeta, id: string, version: number, signedAt: number): void {
    if (!replayProtected(meta)) return;
    const refusal = this.replay.check(meta.name, id, version, signedAt);
    if (refusal?.reason === 'stale') throw staleState(meta.name, version, refusal.latest);
    if (refusal?.reason === 'forgotten') throw forgottenState(meta.name);
  }

  /**
   * Keeps nothing but, with replay protection, the new version; refuses (VersionConflict) a write
   * based on a version older than one already saved. Returns the record the browser will hold.
   */
  async save(meta: EntityMeta, request: SaveRequest): Promise<StoredRecord> {
    const version = request.expectedVersion + 1;
    // The time the event's `sig` was signed with: the browser's new token and this memory agree.
    const signedAt = signingTime();
    if (replayProtected(meta)) {
      const latest = this.replay.latest(meta.name, request.id) ?? 0;
      if (latest > request.expectedVersion) throw new VersionConflict(meta.name, request.id, request.expectedVersion, latest);
      this.replay.remember(meta.name, request.id, version, signedAt);
    }
    return { id: request.id, version, state: cloneJson(request.state), createdAt: signedAt, updatedAt: signedAt };
  }

  /**
   * The browser holds the state, so there is nothing to delete here; forgets the remembered
   * version (replay protection) and says whether there was one. With `expectedVersion`, a
   * remembered newer version is a VersionConflict.
   */
  async delete(meta: EntityMeta, id: string, expectedVersion?: number): Promise<boolean> {
    const latest = this.replay.latest(meta.name, id);
    if (expectedVersion !== undefined && latest !== undefined && latest !== expectedVersion) throw new VersionConflict(meta.name, id, expectedVersion, latest);
    return this.replay.forget(meta.name, id);
  }

  /** Not supported: each state lives in one browser; the server cannot list them. */
  async find(_meta: EntityMeta, _query: FindQuery): Promise<FindResult> {
    throw unsupported(this.name, 'find', 'client-store entities live in each browser, so the server cannot list or query them. Keep data you need to query in a server store (memory, sql, redis).');
  }

  /** Undoes a save a later commit tap refused: the remembered version goes back to the previous one. */
  async restore(meta: EntityMeta, id: string, previous: StoredRecord | undefined, writtenVersion: number): Promise<void> {
    if (!replayProtected(meta) || this.replay.latest(meta.name, id) !== writtenVersion) return;
    if (previous) this.replay.remember(meta.name, id, previous.version, previous.updatedAt);
    else this.replay.forget(meta.name, id);
  }

  /** Always reachable: there is no backend, the browser holds the state. */
  async ping(): Promise<void> {}

  /**
   * The entity's signals as a browser holds them after `record` was saved: id, fields and the
   * signature. What the event's patch gives the browser; for tests and for handing a state to a
   * client yourself.
   */
  signalsFor(meta: EntityMeta, record: Pick<StoredRecord, 'id' | 'version' | 'state'> & Partial<Pick<StoredRecord, 'updatedAt'>>): JsonObject {
    const fields = cloneJson(record.state);
    // Signed at the record's time (what save returned), else now.
    const signedAt = record.updatedAt ?? signingTime();
    return { id: record.id, ...fields, [SIGNATURE_FIELD]: this.signer.sign({ type: meta.name, id: record.id, version: record.version, fields, signedAt }) };
  }
}

/** The entity's declared fields among what the browser sent (the signature covers only those). */
function fieldsOf(meta: EntityMeta, sent: Record<string, unknown>): JsonObject {
  const fields: JsonObject = {};
  for (const name of Object.keys(meta.fields)) if (Object.hasOwn(sent, name)) fields[name] = sent[name];
  return fields;
}
