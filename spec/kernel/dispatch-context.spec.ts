import { expect } from 'chai';
import { Entity, currentDispatch, event, useDispatchContext } from '../../kernel/index.js';
import { createTestKernel, type TestKernel } from '../../kernel/testing/index.js';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Records, for each event, whose dispatch context it saw before and after an await. */
class Ledger extends Entity {
  static override scope = 'global' as const;
  entries: string[] = [];

  @event() async note(tag: string) {
    const before = currentDispatch()?.sessionId;
    await pause(5);
    const after = currentDispatch()?.sessionId;
    this.entries = [...this.entries, `${tag}:${String(before)}:${String(after)}`];
  }
}

describe('the dispatch context of events queued on one entity', () => {
  let t: TestKernel;
  before(async () => {
    // What a plugin that reads the context (client-store, jobs) turns on in its setup.
    useDispatchContext();
    t = await createTestKernel({ entities: [Ledger] });
  });
  after(() => t.close());

  it('gives each queued event its own caller\'s context, not the one of the event before it', async () => {
    // Three events on the same entity at once: the second and third wait for the lock.
    await Promise.all(['a', 'b', 'c'].map((tag) => t.kernel.dispatch({ entity: Ledger, event: 'note', args: { tag } }, { sessionId: `session-${tag}` })));
    const ledger = await t.kernel.load(Ledger);
    expect(ledger.entries).to.deep.equal(['a:session-a:session-a', 'b:session-b:session-b', 'c:session-c:session-c']);
  });
});
