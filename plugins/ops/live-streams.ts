/**
 * @module @starmodel/ops/live-streams
 * The long-lived SSE responses the app has open, seen from the request middleware: to send them a
 * `retry:` hint before shutdown closes them (so browsers reconnect later, to another instance),
 * and to tell a stream the server cut off (a client that stopped reading) from one the client left.
 */
import type { ServerResponse } from 'node:http';

/** True when a response is an event stream that is still open after its handler returned. */
export function isOpenStream(res: ServerResponse): boolean {
  const type = res.getHeader('content-type');
  return typeof type === 'string' && type.startsWith('text/event-stream') && res.headersSent && !res.writableEnded && !res.destroyed;
}

/** Open live streams, tracked by their responses. */
export class LiveStreams {
  readonly #open = new Set<ServerResponse>();

  /**
   * Follows a stream until it closes; `closed(dropped)` is told whether the server cut it off with
   * data unsent (neither ended normally nor left by the client).
   */
  track(res: ServerResponse, closed: (dropped: boolean) => void): void {
    this.#open.add(res);
    let clientLeft = false;
    const socket = res.socket;
    const left = () => {
      clientLeft = true;
    };
    socket?.once('end', left);
    socket?.once('error', left);
    res.once('close', () => {
      this.#open.delete(res);
      socket?.off('end', left);
      socket?.off('error', left);
      closed(!clientLeft && !res.writableEnded);
    });
  }

  /** Number of open streams. */
  get size(): number {
    return this.#open.size;
  }

  /** Tells every open stream to reconnect after `retryMs` (an SSE `retry:` field); returns how many. */
  hintRetry(retryMs: number): number {
    let told = 0;
    for (const res of this.#open) {
      if (res.writableEnded || res.destroyed) continue;
      res.write(`retry: ${Math.round(retryMs)}\n\n`);
      told++;
    }
    return told;
  }
}
