/**
 * @module testing/test-kernel
 * A kernel for specs: no config file, no ports. Clients carry their own session id.
 */
import { randomUUID } from 'node:crypto';
import type { StarmodelPlugin } from '../app.js';
import { entityTopic } from '../bus.js';
import type { Change, DispatchResult } from '../change.js';
import type { Entity, EntityClass, EventArgs, EventName } from '../entity.js';
import { Kernel, type KernelOptions } from '../kernel.js';
import { consoleLogger } from '../logger.js';
import type { JsonObject } from '../merge-patch.js';
import { identify } from '../identity.js';
import { signalsOf } from '../state.js';

/** Options of `createTestKernel`. */
export interface TestKernelOptions extends KernelOptions {
  entities?: readonly EntityClass[];
  /** Plugins by name (their factories already called). */
  plugins?: Readonly<Record<string, StarmodelPlugin>>;
}

/** A kernel for specs plus a way to make clients. */
export interface TestKernel {
  readonly kernel: Kernel;
  /** A client with its own session (and optionally a signed-in user). */
  client(options?: { sessionId?: string; user?: { id: string; roles?: string[] } }): TestClient;
  close(): Promise<void>;
}

/** Acts like one browser: its own session, dispatching events and watching entities. */
export class TestClient {
  constructor(readonly kernel: Kernel, readonly sessionId: string, readonly user?: { id: string; roles?: string[] }) {}

  #context() {
    return { sessionId: this.sessionId, ...(this.user ? { user: this.user } : {}) };
  }

  /** Runs an event with positional arguments, as server code would call it. */
  call<T extends Entity, K extends EventName<T>>(cls: EntityClass<T>, event: K, ...args: EventArgs<T, K>): Promise<DispatchResult> {
    return this.kernel.dispatch({ entity: cls, event, positional: args }, this.#context());
  }

  /** Runs an event as the browser sends it: query text and a body of signals. */
  send(cls: EntityClass, event: string, request: { query?: Record<string, unknown>; body?: unknown; id?: string } = {}): Promise<DispatchResult> {
    return this.kernel.dispatch({ entity: cls, event, ...request }, this.#context());
  }

  /** The entity's current signals as this client would see them. */
  async signals(cls: EntityClass, id?: string): Promise<JsonObject> {
    const entity = await this.kernel.load(cls, this.#context(), id);
    return signalsOf(this.kernel.registry.get(cls), entity);
  }

  /** Collects every change published for the entity this client addresses. */
  watch(cls: EntityClass, id?: string): { readonly changes: Change[]; stop(): void } {
    const meta = this.kernel.registry.get(cls);
    const changes: Change[] = [];
    const stop = this.kernel.bus.subscribe(entityTopic(meta.name, identify(meta, id, this.#context())), (change) => changes.push(change));
    return { changes, stop };
  }
}

/** Creates a started kernel with the given entities and plugins; logs only errors. */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const kernel = new Kernel({ logger: consoleLogger('error'), memory: { sweepIntervalMs: 0 }, ...options });
  for (const [name, plugin] of Object.entries(options.plugins ?? {})) await plugin.setup(kernel.pluginApi(name));
  kernel.register(...(options.entities ?? []));
  await kernel.start();
  return {
    kernel,
    client: (clientOptions = {}) => new TestClient(kernel, clientOptions.sessionId ?? randomUUID(), clientOptions.user),
    close: () => kernel.close(),
  };
}
