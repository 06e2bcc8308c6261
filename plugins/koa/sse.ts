/**
 * @module @starmodel/koa/sse
 * One Server-Sent Events response written straight to the socket. A subscriber whose unsent data
 * stays above the bound is dropped rather than buffered without limit.
 */
import type { ServerResponse } from 'node:http';

/** SSE response headers (proxies must not buffer). Node sets `Connection` from the request. */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
} as const;

/** An open SSE response. */
export class SseConnection {
  #open = true;
  #corked = false;
  readonly #closeListeners: (() => void)[] = [];

  constructor(private readonly res: ServerResponse, private readonly maxBufferedBytes: number) {
    res.on('close', () => this.#closed());
  }

  /** Sends status and headers now, so the client sees the stream open. */
  start(status = 200, headers: Record<string, string> = {}): void {
    this.res.socket?.setTimeout(0);
    this.res.socket?.setNoDelay(true);
    this.#cork();
    this.res.writeHead(status, { ...SSE_HEADERS, ...headers });
    this.res.flushHeaders();
  }

  // Everything written in one tick (head, events, end) leaves in one writev: one packet per answer.
  #cork(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.res.cork();
    process.nextTick(() => {
      this.#corked = false;
      this.res.uncork();
    });
  }

  /** True until the client went away or the stream was closed. */
  get open(): boolean {
    return this.#open;
  }

  /** Writes encoded SSE text; drops the connection when the client is not reading. */
  write(text: string): boolean {
    if (!this.#open || text === '') return this.#open;
    this.#cork();
    this.res.write(text);
    if (this.res.writableLength > this.maxBufferedBytes) {
      this.drop();
      return false;
    }
    return true;
  }

  /** Ends the response normally. */
  end(): void {
    if (!this.#open) return;
    this.res.end();
    this.#closed();
  }

  /** Cuts a slow or misbehaving subscriber off (its client will retry). */
  drop(): void {
    if (!this.#open) return;
    this.res.destroy();
    this.#closed();
  }

  /** Runs once when the connection closes for any reason. */
  onClose(listener: () => void): void {
    if (this.#open) this.#closeListeners.push(listener);
    else listener();
  }

  #closed(): void {
    if (!this.#open) return;
    this.#open = false;
    for (const listener of this.#closeListeners.splice(0)) listener();
  }
}
