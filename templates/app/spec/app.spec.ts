import { expect } from 'chai';
import { createTestKernel } from 'starmodel/testing';
import { Counter, Visit } from '../entities.js';

describe('{{name}}', () => {
  it('counts for everyone and visits per session', async () => {
    const t = await createTestKernel({ entities: [Counter, Visit] });
    try {
      const alice = t.client();
      const bob = t.client();
      await alice.call(Counter, 'increment', 2);
      await bob.call(Counter, 'increment');
      await alice.call(Visit, 'seen');
      expect((await bob.signals(Counter)).count).to.equal(3);
      expect((await alice.signals(Visit)).pages).to.equal(1);
      expect((await bob.signals(Visit)).pages).to.equal(0);
    } finally {
      await t.close();
    }
  });
});
