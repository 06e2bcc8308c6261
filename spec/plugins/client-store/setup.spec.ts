/**
 * What the client-store plugin refuses at start-up, and how it behaves without a browser.
 */
import { expect } from 'chai';
import clientStorePlugin, { ClientEntity } from '../../../plugins/client-store/index.js';
import { Entity, event, field, isStarmodelError, z, type EntityClass, type Logger } from '../../../kernel/index.js';
import { createTestKernel } from '../../../kernel/testing/index.js';

class Tally extends ClientEntity {
  static override store = 'client-session';
  count = 0;
  @event() bump() {
    this.count++;
  }
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isStarmodelError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a StarmodelError');
}

const start = (entities: EntityClass[], options: { secret?: string; logger?: Logger; pluginOptions?: Record<string, unknown> } = {}) =>
  createTestKernel({
    entities, ...(options.logger ? { logger: options.logger } : {}), ...(options.secret === undefined ? { secret: 'spec-secret-setup' } : options.secret ? { secret: options.secret } : {}),
    plugins: { '@starmodel/client-store': clientStorePlugin(options.pluginOptions ?? {}) },
  });

describe('client-store: start-up checks', () => {
  it('refuses an entity that names a client store without extending ClientEntity, saying what to do', async () => {
    class Loose extends Entity {
      static override store = 'client-local';
      theme = 'light';
    }
    const error = await failure(start([Loose]));
    expect(error.code).to.equal('SM_ENTITY_INVALID');
    expect(error.message).to.match(/extend ClientEntity/);
  });

  it('refuses record scope, hidden fields, a field named sig, varying defaults and a ClientEntity on a server store', async () => {
    class Row extends ClientEntity {
      static override scope = 'record' as const;
      title = '';
    }
    class Secretive extends ClientEntity {
      @field(z.string(), { hidden: true }) token = '';
    }
    class Clashing extends ClientEntity {
      constructor() {
        super();
        Object.defineProperty(this, 'sig', { value: '', enumerable: true, writable: true });
      }
    }
    class Stamped extends ClientEntity {
      at = Math.random();
    }
    class Misplaced extends ClientEntity {
      static override store = 'memory';
      note = '';
    }
    expect((await failure(start([Row]))).message).to.match(/records cannot use store/);
    expect((await failure(start([Secretive]))).message).to.match(/hidden fields \(token\)/);
    expect((await failure(start([Clashing]))).message).to.match(/"sig" is the signature signal/);
    expect((await failure(start([Stamped]))).message).to.match(/constant defaults/);
    expect((await failure(start([Misplaced]))).message).to.match(/extends ClientEntity but uses store "memory"/);
  });

  it('refuses to start in production without a secret, and warns without one in development', async () => {
    const previous = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      const error = await failure(start([Tally], { secret: '' }));
      expect(error.code).to.equal('SM_CONFIG_INVALID');
      expect(error.message).to.match(/STARMODEL_SECRET/);
      process.env.NODE_ENV = 'development';
      const warnings: string[] = [];
      const logger: Logger = { debug() {}, info() {}, error() {}, warn: (message) => warnings.push(message), child: () => logger };
      const test = await start([Tally], { secret: '', logger });
      await test.close();
      expect(warnings.join('\n')).to.match(/no secret configured/);
    } finally {
      if (previous === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = previous;
    }
  });

  it('refuses options of the wrong type, naming the key', async () => {
    // The factory narrows its options as soon as it is called.
    const error = await failure(Promise.resolve().then(() => start([Tally], { pluginOptions: { replayTtlSeconds: 'a day' } })));
    expect(error.code).to.equal('SM_CONFIG_INVALID');
    expect(error.message).to.contain('replayTtlSeconds');
  });
});

describe('client-store: without a browser', () => {
  it('keeps no server-side copy: server code calling an event starts from the defaults every time', async () => {
    const test = await start([Tally]);
    try {
      const client = test.client();
      const first = await client.call(Tally, 'bump');
      const second = await client.call(Tally, 'bump');
      expect(first.signals.count).to.equal(1);
      expect(second.signals.count).to.equal(1);
      expect(first.id).to.not.equal(second.id);
      expect(first.signals.sig).to.match(/^1\./);
    } finally {
      await test.close();
    }
  });

  it('answers find with a clear error: the server cannot list states kept in browsers', async () => {
    const test = await start([Tally]);
    try {
      const error = await failure(Tally.find());
      expect(error.code).to.equal('SM_STORE_FAILED');
      expect(error.message).to.match(/find is not supported/);
    } finally {
      await test.close();
    }
  });
});
