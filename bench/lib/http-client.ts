/**
 * @module bench/http-client
 * A minimal HTTP/1.1 client on raw sockets for the drivers: keep-alive, one request in flight
 * per connection, responses parsed completely (Content-Length or chunked) so every byte can be
 * checked. Much cheaper per request than a general client, so the driver stays off the critical path.
 */
import { connect, type Socket } from 'node:net';

/** One complete response. */
export interface RawResponse {
  readonly status: number;
  /** The head as sent (status line and headers, without the blank line). */
  readonly head: string;
  /** The Content-Type header's value, exactly as sent. */
  readonly contentType: string | undefined;
  /** The body after removing the chunked framing. */
  readonly body: string;
  /** Header names, lower-case, in the order sent. */
  readonly headerNames: readonly string[];
  headerValue(name: string): string | undefined;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const EVENT_END = Buffer.from('\n\n\r\n');

interface Head {
  status: number;
  head: string;
  contentLength: number | undefined;
  chunked: boolean;
  lines: string[];
}

function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const status = Number(lines[0]?.slice(9, 12));
  let contentLength: number | undefined;
  let chunked = false;
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (name === 'content-length') contentLength = Number(line.slice(colon + 1).trim());
    else if (name === 'transfer-encoding') chunked = line.slice(colon + 1).trim().toLowerCase() === 'chunked';
  }
  return { status, head: text, contentLength, chunked, lines };
}

function responseOf(head: Head, body: string): RawResponse {
  const headers = head.lines.slice(1).map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
  });
  const headerValue = (name: string) => headers.find(([key]) => key === name)?.[1];
  return { status: head.status, head: head.head, contentType: headerValue('content-type'), body, headerNames: headers.map(([key]) => key), headerValue };
}

/**
 * Decodes a chunked body from `buffer` starting at `start`. Returns the body and the offset after
 * the final chunk, or undefined when more bytes are needed.
 */
function decodeChunked(buffer: Buffer, start: number): { body: string; end: number } | undefined {
  const parts: Buffer[] = [];
  let position = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', position);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', position, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size line: ${JSON.stringify(buffer.toString('latin1', position, lineEnd))}`);
    const dataStart = lineEnd + 2;
    if (size === 0) {
      // No trailers: the body ends with an empty line.
      if (buffer.length < dataStart + 2) return undefined;
      return { body: Buffer.concat(parts).toString('utf8'), end: dataStart + 2 };
    }
    if (buffer.length < dataStart + size + 2) return undefined;
    parts.push(buffer.subarray(dataStart, dataStart + size));
    position = dataStart + size + 2;
  }
}

/** A keep-alive connection that runs one request at a time. */
export class HttpConnection {
  #pending: Buffer = Buffer.alloc(0);
  #waiting: ((error: Error | undefined, response?: RawResponse) => void) | undefined;
  #head: Head | undefined;
  #bodyStart = 0;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('connection closed by the server')));
  }

  /** Connects to host:port. */
  static open(host: string, port: number): Promise<HttpConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new HttpConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends a request head (and optional body) and calls back with the complete response. */
  send(request: Buffer | string, onResponse: (error: Error | undefined, response?: RawResponse) => void): void {
    if (this.#waiting) throw new Error('one request at a time per connection');
    this.#waiting = onResponse;
    this.socket.write(request);
  }

  /** `send` as a promise. */
  request(request: Buffer | string): Promise<RawResponse> {
    return new Promise((resolve, reject) => this.send(request, (error, response) => (error ? reject(error) : resolve(response!))));
  }

  close(): void {
    this.#waiting = undefined;
    this.socket.destroy();
  }

  #fail(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(error);
  }

  #onData(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      if (!this.#head) {
        const end = this.#pending.indexOf(CRLF2);
        if (end < 0) return;
        this.#head = parseHead(this.#pending.toString('latin1', 0, end));
        this.#bodyStart = end + 4;
      }
      const head = this.#head;
      let body: string;
      let end: number;
      if (head.chunked) {
        const decoded = decodeChunked(this.#pending, this.#bodyStart);
        if (!decoded) return;
        ({ body, end } = decoded);
      } else {
        const length = head.contentLength ?? 0;
        if (this.#pending.length < this.#bodyStart + length) return;
        body = this.#pending.toString('utf8', this.#bodyStart, this.#bodyStart + length);
        end = this.#bodyStart + length;
      }
      this.#pending = this.#pending.subarray(end);
      this.#head = undefined;
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (!waiting) throw new Error(`unexpected response: ${head.head.split('\r\n')[0]}`);
      waiting(undefined, responseOf(head, body));
      if (this.#pending.length === 0) return;
    }
  }
}

/**
 * A long-lived SSE response read from a raw socket. Its data handler does as little as possible
 * (append, count event ends, stamp the time) so that 5,000 of them in one driver still measure
 * the server; the bytes are decoded and checked afterwards.
 */
export class LiveStream {
  readonly chunks: Buffer[] = [];
  /** performance.now() when the stream held `n` complete SSE events, by n. */
  readonly completedAt: number[] = [];
  #events = 0;
  #onEvent: ((stream: LiveStream, events: number) => void) | undefined;

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      this.chunks.push(chunk);
      // Each SSE event ends with a blank line; inside a chunked body that is "\n\n\r\n".
      const previous = this.chunks.length > 1 ? this.chunks[this.chunks.length - 2]! : undefined;
      if (previous) {
        const tail = previous.subarray(Math.max(0, previous.length - 3));
        const seam = Buffer.concat([tail, chunk.subarray(0, 3)]).indexOf(EVENT_END);
        if (seam >= 0 && seam < tail.length) this.#count(now);
      }
      for (let at = chunk.indexOf(EVENT_END); at >= 0; at = chunk.indexOf(EVENT_END, at + 4)) this.#count(now);
    });
  }

  #count(now: number): void {
    this.#events++;
    this.completedAt[this.#events] = now;
    this.#onEvent?.(this, this.#events);
  }

  /** Called on each complete event (with the count of events so far). */
  onEvent(listener: (stream: LiveStream, events: number) => void): void {
    this.#onEvent = listener;
  }

  get events(): number {
    return this.#events;
  }

  /** The response so far: status, content type and the SSE text with the chunked framing removed. */
  decode(): { status: number; contentType: string | undefined; text: string } {
    const all = Buffer.concat(this.chunks);
    const end = all.indexOf(CRLF2);
    if (end < 0) throw new Error('no complete response head');
    const head = parseHead(all.toString('latin1', 0, end));
    const contentType = responseOf(head, '').contentType;
    if (!head.chunked) return { status: head.status, contentType, text: all.toString('utf8', end + 4) };
    const parts: Buffer[] = [];
    let position = end + 4;
    for (;;) {
      const lineEnd = all.indexOf('\r\n', position);
      if (lineEnd < 0) break;
      const size = parseInt(all.toString('latin1', position, lineEnd), 16);
      if (!(size > 0) || all.length < lineEnd + 2 + size) break;
      parts.push(all.subarray(lineEnd + 2, lineEnd + 2 + size));
      position = lineEnd + 2 + size + 2;
    }
    return { status: head.status, contentType, text: Buffer.concat(parts).toString('utf8') };
  }
}
