/**
 * @module keyed-lock
 * Runs tasks one at a time per key (and in parallel across keys): events on one entity never
 * interleave within a process.
 */

/** The tasks of one busy key: the running one, then the gates of the waiting ones, in order. */
class Lane {
  /** Opens the gate of each waiting task, in arrival order. */
  readonly gates: (() => void)[] = [];
  /** Index of the next gate (a head index, so a long queue is not shifted on every start). */
  head = 0;
  /** Called when a task of the lane settles; one function per lane, not per task. */
  readonly release: () => void;

  constructor(lanes: Map<string, Lane>, key: string) {
    this.release = () => {
      if (this.head === this.gates.length) {
        lanes.delete(key);
        return;
      }
      const open = this.gates[this.head]!;
      this.gates[this.head++] = undefined as unknown as () => void;
      if (this.head === this.gates.length) {
        this.gates.length = 0;
        this.head = 0;
      }
      open();
    };
  }
}

/**
 * A queue per key; keys with nothing queued take no memory. Keys come in two parts, a group (the
 * entity type: few, kept) and a key within it (the id), so no `type:id` string is built and hashed
 * on every event.
 */
export class KeyedLock {
  readonly #groups = new Map<string, Map<string, Lane>>();

  /**
   * Runs `task` after every task queued earlier under (`group`, `key`) has settled. A key with
   * nothing running starts the task at once, with no promise to wait for first.
   */
  run<T>(group: string, key: string, task: () => Promise<T>): Promise<T> {
    let lanes = this.#groups.get(group);
    const busy = lanes?.get(key);
    if (busy) {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => { open = resolve; });
      busy.gates.push(open);
      // Chained here, not started by the lane: the task runs in its caller's async context
      // (AsyncLocalStorage: `currentDispatch()`), not in the one of the task before it.
      const result = gate.then(task);
      result.then(busy.release, busy.release);
      return result;
    }
    if (!lanes) this.#groups.set(group, (lanes = new Map()));
    const lane = new Lane(lanes, key);
    lanes.set(key, lane);
    let result: Promise<T>;
    try {
      const returned = task();
      result = returned instanceof Promise ? returned : Promise.resolve(returned);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(lane.release, lane.release);
    return result;
  }

  /** How many keys have work queued or running. */
  get size(): number {
    let size = 0;
    for (const lanes of this.#groups.values()) size += lanes.size;
    return size;
  }
}
