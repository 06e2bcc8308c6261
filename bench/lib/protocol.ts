/**
 * @module bench/protocol
 * The exact bytes every benchmarked server must produce, and the exact request the Datastar
 * beta.11 browser client sends. Servers and drivers share this file so "the same bytes" is one
 * definition: baselines write these strings; drivers compare every response against them.
 */
import { createHmac } from 'node:crypto';

/** The secret every bench server signs sessions with (StarModel) and the drivers sign cookies with. */
export const BENCH_SECRET = 'bench-secret-0123456789abcdef0123456789';

/** The session cookie name of the web plugin (its default). */
export const COOKIE_NAME = 'sm.sid';

/**
 * Headers StarModel sends on an SSE answer (plugins/koa/sse.ts plus the nosniff of every answer),
 * in its order; the baselines send the same. Node adds Date, Connection/Keep-Alive and the framing.
 */
export const SSE_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
};

/** The content type every checked response must carry, byte for byte. */
export const SSE_CONTENT_TYPE = 'text/event-stream';

/** The signals a counter page holds (what `signals.JSON(false, true)` gives the client to send). */
export function pageSignals(clientId: string): string {
  return JSON.stringify({ sm: { client: clientId, error: { code: '', message: '' } }, Counter: { id: 'global', count: 0, errors: { amount: '' } } });
}

/**
 * A signed session cookie value, as the web plugin signs it (`<id>.<HMAC-SHA256 base64url>`), so
 * the driver behaves like a browser that already has its session: no new session per request.
 */
export function sessionCookie(id = 'benchSessionId0000000A'): string {
  return `${id}.${createHmac('sha256', BENCH_SECRET).update(id).digest('base64url')}`;
}

/** The request head a browser with a counter page sends for `@get('/counter/increment?amount=1')`. */
export function incrementRequest(host: string, clientId = 'benchTab000000001'): string {
  const query = new URLSearchParams({ amount: '1' });
  query.set('datastar', pageSignals(clientId));
  return [
    `GET /counter/increment?${query.toString()} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: keep-alive',
    'Datastar-Request: true',
    'Content-Type: application/json',
    'Accept: text/event-stream',
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    'Sec-Fetch-Site: same-origin',
    'Sec-Fetch-Mode: cors',
    'Sec-Fetch-Dest: empty',
    `Referer: http://${host}/`,
    'Accept-Encoding: gzip, deflate, br, zstd',
    'Accept-Language: en-US,en;q=0.9',
    `Cookie: ${COOKIE_NAME}=${sessionCookie()}`,
    '',
    '',
  ].join('\r\n');
}

/** The request head of a live stream (`data-on-load="@get('/counter/live')"`). */
export function liveRequest(host: string, clientId: string): string {
  const query = new URLSearchParams({ datastar: pageSignals(clientId) });
  return [
    `GET /counter/live?${query.toString()} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: keep-alive',
    'Datastar-Request: true',
    'Content-Type: application/json',
    'Accept: text/event-stream',
    'Sec-Fetch-Site: same-origin',
    'Sec-Fetch-Mode: cors',
    'Sec-Fetch-Dest: empty',
    `Cookie: ${COOKIE_NAME}=${sessionCookie()}`,
    '',
    '',
  ].join('\r\n');
}

/** The one signals event an increment answers with (beta.11 `datastar-merge-signals`). */
export function incrementSignalsEvent(count: number): string {
  return `event: datastar-merge-signals\ndata: signals {"Counter":{"count":${count}}}\n\n`;
}

/**
 * The event StarModel appends to every Datastar event answer: it clears the error messages a
 * failed earlier attempt may have left, the page's (`sm.error`) and those next to the event's
 * inputs (plugins/koa/events.ts `streamEvent`).
 */
export const ERRORS_RESET_EVENT = 'event: datastar-merge-signals\ndata: signals {"sm":{"error":{"code":"","message":""}},"Counter":{"errors":{"amount":""}}}\n\n';

/**
 * Whether an increment answer ends with the errors reset. StarModel sends it on every event answer
 * today; `BENCH_ERRORS_RESET=off` (inherited by every server and driver of a run) expects, and
 * makes the baselines write, the signals event alone: for measuring a web plugin that sends the
 * reset only when the page shows an error.
 */
export const ANSWER_HAS_ERRORS_RESET = process.env.BENCH_ERRORS_RESET === 'on';

/** The whole body of an increment answer. */
export function incrementBody(count: number): string {
  return ANSWER_HAS_ERRORS_RESET ? incrementSignalsEvent(count) + ERRORS_RESET_EVENT : incrementSignalsEvent(count);
}

/** Reads the count out of an increment answer (the only byte range allowed to differ). */
export function countInIncrementBody(body: string): number | undefined {
  const match = /^event: datastar-merge-signals\ndata: signals \{"Counter":\{"count":(\d+)\}\}\n\n/.exec(body);
  return match ? Number(match[1]) : undefined;
}

/** A live stream's first event: the whole state, SSE id = version. */
export function liveStateEvent(version: number, count: number): string {
  return `event: datastar-merge-signals\nid: ${version}\ndata: signals {"Counter":{"id":"global","count":${count}}}\n\n`;
}

/** A live stream's patch after one increment. */
export function livePatchEvent(version: number, count: number): string {
  return `event: datastar-merge-signals\nid: ${version}\ndata: signals {"Counter":{"count":${count}}}\n\n`;
}

/** Reads version and count out of a live stream's first event. */
export function parseLiveState(text: string): { version: number; count: number } | undefined {
  const match = /^event: datastar-merge-signals\nid: (\d+)\ndata: signals \{"Counter":\{"id":"global","count":(\d+)\}\}\n\n/.exec(text);
  return match ? { version: Number(match[1]), count: Number(match[2]) } : undefined;
}
