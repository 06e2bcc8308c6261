/**
 * @module stages
 * Named stages for ordering taps. Lower runs first; taps are never ordered by load order.
 */

/** Checks that refuse a command or unit of work (auth, validation). */
export const STAGE_VALIDATE = -100;
/** Taps that take over a command instead of running it (jobs). */
export const STAGE_TAKE_OVER = -50;
/** Default stage; the kernel's own persist tap on `commit`. */
export const STAGE_PERSIST = 0;
/** After the write, still inside the commit (audit rows in the same transaction). */
export const STAGE_AFTER_PERSIST = 50;
/** Delivery and observation (local SSE, bridges, metrics). */
export const STAGE_DELIVER = 100;
