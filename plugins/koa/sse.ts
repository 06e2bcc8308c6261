/**
 * @module @starmodel/koa/sse
 * One Server-Sent Events response written straight to the socket. A subscriber whose unsent data
 * stays above the bound is dropped rather than buffered without limit.
 */
import type { ServerResponse } from 'node:http';

/**
 * SSE response headers (proxies must not buffer). Node sets `Connection` from the request. The
 * `nosniff` every answer carries is here too, so answers served outside Koa (direct.ts) pass their
 * headers to `writeHead` in one object, Node's quickest path.
 */
export const SSE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
} as const;

/**
 * Answers with a complete SSE body: status, headers and events leave in one write, with a
 * Content-Length (the body is known, so no chunked framing).
 */
export function answerOnce(res: ServerResponse, text: string): void {
  res.writeHead(200, { ...SSE_HEADERS, 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function uncork(res: ServerResponse): void {
  res.uncork();
}

/** An open SSE response. */
export class SseConnection {
  #open = true;
  readonly #closeListeners: (() => void)[] = [];

  constructor(private readonly res: ServerResponse, private readonly maxBufferedBytes: number) {
    res.on('close', () => this.#closed());
  }

  /** Sends status and headers now, so the client sees the stream open. */
  start(status = 200, headers: Record<string, string> = {}): void {
    this.res.socket?.setTimeout(0);
    this.res.socket?.setNoDelay(true);
    // The head and whatever is written in the same tick (the first events) leave in one writev.
    this.res.cork();
    process.nextTick(uncork, this.res);
    this.res.writeHead(status, { ...SSE_HEADERS, ...headers });
    this.res.flushHeaders();
  }

  /** True until the client went away or the stream was closed. */
  get open(): boolean {
    return this.#open;
  }

  /** Writes encoded SSE text; drops the connection when the client is not reading. */
  write(text: string): boolean {
    if (!this.#open || text === '') return this.#open;
    // No cork of our own here: Node's chunked write corks the socket until the next tick itself,
    // and a fan-out to thousands of streams would pay one more nextTick per stream.
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
