/**
 * @module bench/servers/bare-counter
 * The counter the baseline servers (bare node:http, bare Koa) share: one number in memory, the
 * same argument parsing a real handler needs (`amount`, the `?datastar=` signals JSON), and the
 * live subscribers it writes each change to, once encoded, straight to their responses.
 */
import type { ServerResponse } from 'node:http';
import { incrementBody, livePatchEvent, liveStateEvent, SSE_RESPONSE_HEADERS } from '../lib/protocol.js';

/** One global counter with its version and live streams. */
export class BareCounter {
  count = 0;
  version = 0;
  readonly #live = new Set<ServerResponse>();

  /** Parses the request's query as an event handler must; throws on bad input (400 upstream). */
  static amountOf(search: string): number {
    const query = new URLSearchParams(search);
    const signals = query.get('datastar');
    if (signals !== null) JSON.parse(signals);
    const amount = Number(query.get('amount') ?? 1);
    if (!Number.isFinite(amount)) throw new Error('amount must be a number');
    return amount;
  }

  /** Applies one increment, tells every live stream, and returns the answer's body. */
  increment(amount: number): string {
    this.count += amount;
    this.version += 1;
    const patch = livePatchEvent(this.version, this.count);
    for (const res of this.#live) res.write(patch);
    return incrementBody(this.count);
  }

  /** Opens a live stream on a raw response: headers, the whole state, then every patch. */
  openLive(res: ServerResponse): void {
    res.socket?.setTimeout(0);
    res.socket?.setNoDelay(true);
    res.writeHead(200, SSE_RESPONSE_HEADERS);
    res.write(liveStateEvent(this.version, this.count));
    this.#live.add(res);
    res.on('close', () => this.#live.delete(res));
  }
}

/** Process plumbing every bench server shares: `SIGUSR2` runs a full GC (for RSS readings), `SIGTERM` exits cleanly (so `--cpu-prof` is written). */
export function benchProcess(close: () => Promise<void> | void): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('SIGUSR2', () => {
    gc?.();
    gc?.();
  });
  process.on('SIGTERM', () => {
    void Promise.resolve()
      .then(close)
      .finally(() => process.exit(0));
  });
}
