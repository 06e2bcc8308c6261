/**
 * The in-process queue while the app closes: a job the runtime declines to run (the kernel is
 * closing) is parked, not restarted on the next microtask. Restarting it at once used to spin
 * forever, starving the event loop, so the close that would stop the queue never ran.
 */
import { expect } from 'chai';
import { MemoryQueue } from '../../../plugins/jobs/memory-queue.js';
import { NotRunJobError } from '../../../plugins/jobs/types.js';

describe('@starmodel/jobs, in-process queue while closing', () => {
  it('parks a job that was not run, keeps the event loop turning, and closes', async () => {
    const queue = new MemoryQueue({ keepCompleted: 10, keepFailed: 10 });
    let tries = 0;
    await queue.work(async () => {
      tries++;
      throw new NotRunJobError();
    }, 1);
    await queue.add({ entity: 'Stats', event: 'refresh', args: {}, queuedAt: Date.now() }, { attempts: 3, backoffMs: 10 });
    // A timer must still fire: a microtask spin would never let it.
    const timerFired = await new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 50));
    expect(timerFired).to.equal(true);
    expect(tries, 'the declined job is not retried in a tight loop').to.be.lessThan(5);
    await queue.close(100);
    const counts = await queue.counts();
    expect(counts.failed, 'a job that was not run is not counted as failed').to.equal(0);
  });
});
