/**
 * Entities the jobs specs queue, with module-level records of what ran (so executions can be
 * counted across kernels in one process) and gates a spec opens to decide when work finishes.
 */
import { randomUUID } from 'node:crypto';
import { Entity, domId, event, html, refuse, z } from '../../../kernel/index.js';
import { currentJob, laterOn, reportProgress } from '../../../plugins/jobs/index.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise a spec resolves when it wants the waiting work to go on. */
export class Gate {
  #open!: () => void;
  readonly opened = new Promise<void>((resolve) => {
    this.#open = resolve;
  });

  open(): void {
    this.#open();
  }
}

/** What the specs control and observe. */
export const world = {
  gate: undefined as Gate | undefined,
  /** Job ids, in the order their event ran (one entry per attempt). */
  runs: [] as { event: string; jobId: string | undefined; attempt: number | undefined; schedule: string | undefined; at: number }[],
  running: 0,
  maxRunning: 0,
  /** Failures still to throw from Flaky.work. */
  failuresLeft: 0,
  reset(): void {
    this.gate = undefined;
    this.runs = [];
    this.running = 0;
    this.maxRunning = 0;
    this.failuresLeft = 0;
  },
};

function record(eventName: string): void {
  const job = currentJob();
  world.runs.push({ event: eventName, jobId: job?.id, attempt: job?.attempt, schedule: job?.schedule, at: Date.now() });
}

/** An image resize: a background generator that reports progress at every step. */
export class Thumbnail extends Entity {
  static override scope = 'global' as const;
  progress = 0;
  stage = 'idle';
  width = 0;

  @event({ background: true, method: 'post', args: { width: z.number().int().min(16).max(4096) } })
  async *resize(width: number) {
    record('resize');
    await world.gate?.opened;
    for (const [fraction, stage] of [[0.25, 'decoding'], [0.5, 'scaling'], [0.75, 'sharpening'], [1, 'encoding']] as const) {
      this.progress = fraction;
      this.stage = stage;
      await reportProgress(fraction, stage);
      yield;
    }
    this.width = width;
    this.stage = 'done';
  }
}

/** Per-session slow work, to watch how many jobs run at once. */
export class Slow extends Entity {
  done = false;

  @event({ background: true })
  async work() {
    world.running++;
    world.maxRunning = Math.max(world.maxRunning, world.running);
    record('work');
    await pause(40);
    world.running--;
    this.done = true;
  }
}

/** Fails while `world.failuresLeft` is above 0; refuses (a client error) when asked to. */
export class Flaky extends Entity {
  static override scope = 'global' as const;
  succeeded = 0;

  @event({ background: true })
  work(refuseIt = false) {
    record('flaky');
    if (refuseIt) refuse('This report cannot be built.');
    if (world.failuresLeft > 0) {
      world.failuresLeft--;
      throw new Error('the printer is on fire');
    }
    this.succeeded++;
  }
}

/** Held at a gate: for shutdown specs. */
export class Batch extends Entity {
  static override scope = 'global' as const;
  finished = 0;

  @event({ background: true })
  async step(n = 0) {
    record(`step${n}`);
    await world.gate?.opened;
    this.finished++;
  }
}

/** A record whose slow run is queued by the event that creates it. */
export class Task extends Entity {
  static override scope = 'record' as const;
  title = '';
  status = 'queued';
  progress = 0;

  @event({ method: 'post' })
  static start(title = 'report', fail = false) {
    const task = Object.assign(new Task(), { id: randomUUID(), title });
    laterOn(Task, task.id, 'run');
    if (fail) throw new Error('start failed after asking for a job');
    return task;
  }

  @event({ background: true, method: 'post' })
  async *run() {
    record('run');
    this.status = 'running';
    yield;
    this.progress = 1;
    this.status = 'done';
  }

  render() {
    return html`<li id="${domId(this)}">${this.title}: ${this.status}</li>`;
  }
}

/** A repeating event. */
export class Heartbeat extends Entity {
  static override scope = 'global' as const;
  beats = 0;

  @event({ every: '250ms' })
  beat() {
    record('beat');
    this.beats++;
  }
}
