/**
 * @module after-commit
 * Work an event asks for that must wait until its change is saved: a job queued from inside an
 * event, say, must never run before the change that queued it is in the store.
 */
import type { DispatchContext } from './change.js';

const kTasks = Symbol('starmodel.afterCommit');

type WithTasks = DispatchContext & { [kTasks]?: (() => Promise<unknown>)[] };

/**
 * Runs `task` after the event's next committed step (its next `yield`, or its end), once the
 * change is saved and published, before the event's caller hears of it. A task that fails fails
 * the event's caller, but the change stays saved.
 */
export function afterCommit(context: DispatchContext, task: () => Promise<unknown>): void {
  ((context as WithTasks)[kTasks] ??= []).push(task);
}

/** Runs and forgets the tasks waiting on a context; undefined when there are none. */
export function runAfterCommit(context: DispatchContext): Promise<void> | undefined {
  const tasks = (context as WithTasks)[kTasks];
  if (!tasks || tasks.length === 0) return undefined;
  return (async () => {
    for (const task of tasks.splice(0)) await task();
  })();
}
