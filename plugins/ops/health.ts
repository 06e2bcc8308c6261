/**
 * @module @starmodel/ops/health
 * Liveness and readiness. `/healthz` says the process runs (a restart will not help otherwise);
 * `/readyz` says it can serve: every store the entities use answers, the bus delivers, and every
 * check another plugin added passes, each within a time limit. A failing part is named.
 */
import { randomUUID } from 'node:crypto';
import { entityTopic, type Change, type Kernel } from 'starmodel';
import { scrubText } from './logger.js';
import { probeStore, storesInUse } from './stores.js';

/** A readiness check: resolves when the part answers, rejects (or hangs) when it does not. */
export type ReadinessCheck = () => Promise<void>;

/** The result of one part. */
export interface PartStatus {
  readonly status: 'ok' | 'failed';
  /** Milliseconds the check took. */
  readonly ms: number;
  /** Why it failed, with credentials (URL passwords, tokens) scrubbed. */
  readonly error?: string;
}

/** The body of `/readyz`. */
export interface Readiness {
  readonly status: 'ok' | 'failed' | 'draining';
  /** Parts by name: `store:<name>`, `bus`, and added checks. */
  readonly checks: Readonly<Record<string, PartStatus>>;
  /** Names of the parts that failed. */
  readonly failing: readonly string[];
}

class TimedOut extends Error {}

function withTimeout(check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(check), limit]).finally(() => clearTimeout(timer));
}

/** The in-process bus delivers: a probe change reaches a listener of a topic no entity uses. */
export function busCheck(kernel: Kernel): ReadinessCheck {
  return async () => {
    const type = `__ops_probe_${randomUUID()}`;
    let heard = false;
    const stop = kernel.bus.subscribe(entityTopic(type, 'probe'), () => {
      heard = true;
    });
    try {
      const probe: Change = {
        type, id: 'probe', version: 0, patch: {}, signals: {}, elements: [], origin: kernel.instanceId, final: true,
        command: { entity: type, event: 'probe', id: undefined, args: {}, actor: {}, at: Date.now() },
      };
      kernel.bus.deliver(probe);
    } finally {
      stop();
    }
    if (!heard) throw new Error('the in-process bus did not deliver a probe change');
  };
}

/** Runs readiness checks: stores in use, the bus, and checks other plugins add. */
export class ReadinessProbe {
  readonly #extra = new Map<string, ReadinessCheck>();
  #draining = false;

  constructor(private readonly kernel: Kernel, private readonly timeoutMs: number) {}

  /** Adds (or replaces) a named check, e.g. `bus:redis` from a bridge plugin. */
  add(name: string, check: ReadinessCheck): void {
    this.#extra.set(name, check);
  }

  /** From now on the app reports itself not ready (shutting down). */
  drain(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Every part's status; parts run in parallel, each bounded by the timeout. */
  async check(): Promise<Readiness> {
    const parts = new Map<string, ReadinessCheck>();
    for (const [name, meta] of storesInUse(this.kernel)) {
      parts.set(`store:${name}`, async () => {
        const store = this.kernel.store(name);
        if (!store) throw new Error(`no plugin provides the "${name}" store`);
        await probeStore(store, meta);
      });
    }
    parts.set('bus', busCheck(this.kernel));
    for (const [name, check] of this.#extra) parts.set(name, check);
    const results = await Promise.all([...parts].map(async ([name, check]): Promise<[string, PartStatus]> => {
      const start = Date.now();
      try {
        await withTimeout(check, this.timeoutMs);
        return [name, { status: 'ok', ms: Date.now() - start }];
      } catch (error) {
        const reason = error instanceof Error ? error.message || error.name : String(error);
        return [name, { status: 'failed', ms: Date.now() - start, error: scrubText(reason) }];
      }
    }));
    const checks = Object.fromEntries(results);
    const failing = results.filter(([, part]) => part.status === 'failed').map(([name]) => name);
    const status = this.#draining ? 'draining' : failing.length > 0 ? 'failed' : 'ok';
    return { status, checks, failing };
  }
}
