/**
 * Shared pieces of the security and reliability specs: the sandbox app in-process, a raw HTTP
 * client that sends exactly the bytes it is given (no URL normalisation, any method, any body),
 * a snapshot of every stored entity, a logger that remembers errors, and fast-check generators
 * of hostile input.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import type { App, Logger, StarmodelConfig } from '../../kernel/index.js';
import type { WebService } from '../../plugins/koa/index.js';

/** The repository root (the sandbox app's folder). */
export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** fast-check settings: a fixed seed (override with FUZZ_SEED) and bounded runs (FUZZ_RUNS). */
export function fuzzSettings(defaultRuns: number): { seed: number; numRuns: number } {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20_261_126;
  const numRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : defaultRuns;
  return { seed, numRuns };
}

/** A logger that keeps every warning and error, so a spec can assert that none happened. */
export interface CapturingLogger extends Logger {
  readonly errors: string[];
  readonly warnings: string[];
}

/** A logger that prints nothing and records errors and warnings. */
export function capturingLogger(): CapturingLogger {
  const errors: string[] = [];
  const warnings: string[] = [];
  const make = (prefix: string): Logger => ({
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => { warnings.push(`[${prefix}] ${message}`); },
    error: (message) => { errors.push(`[${prefix}] ${message}`); },
    child: (name) => make(name),
  });
  return Object.assign(make('starmodel'), { errors, warnings });
}

/** The sandbox app (its own starmodel.config.ts) running in this process on a free port. */
export interface SandboxApp {
  readonly app: App;
  readonly web: WebService;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly log: CapturingLogger;
  close(): Promise<void>;
}

/**
 * Starts the sandbox in-process, with the web plugin on 127.0.0.1 and a free port. The kernel is
 * imported as an ES module, like the config file that cosmiconfig imports: under mocha a static
 * import would load the CommonJS copy of the kernel, whose `Entity` the config's classes do not
 * extend, and the app would start with no entity at all.
 */
export async function startSandbox(config: StarmodelConfig = {}, koaOptions: Record<string, unknown> = {}): Promise<SandboxApp> {
  const log = capturingLogger();
  const { createApp } = await import('starmodel');
  const app = await createApp({
    dir: ROOT, logger: log,
    config: { secret: 'spec-secret-0123456789abcdef-security', ...config },
    // Repeating events stay off: they change state on their own every few seconds, which the
    // "a refused request changes nothing" checks would see. Jobs and schedules have their own specs.
    pluginOptions: { '@starmodel/jobs': { schedules: false }, '@starmodel/koa': { port: 0, host: '127.0.0.1', ...koaOptions } },
  });
  await app.start();
  const web = app.kernel.service('web');
  if (!web) throw new Error('the web plugin did not provide its service');
  if (app.kernel.registry.all().length === 0) throw new Error('the sandbox started with no entity: its config was loaded with another copy of the kernel');
  const url = web.url() ?? '';
  const parsed = new URL(url);
  return { app, web, url, host: parsed.hostname, port: Number(parsed.port), log, close: () => app.close() };
}

/** Every stored record of every registered entity type: `{ "<Type>": { "<id>": { version, state } } }`. */
export async function snapshotStore(app: App): Promise<Record<string, Record<string, unknown>>> {
  const snapshot: Record<string, Record<string, unknown>> = {};
  // Entities a plugin registers to record what happened (the audit log) are meant to change on
  // every valid event; the invariant is about the app's own state.
  // Client-held entities (client-local/-session) have no server copy to snapshot.
  for (const meta of app.kernel.registry.all().filter((candidate) => app.kernel.originOf(candidate.name) === 'app' && !candidate.store.startsWith('client-'))) {
    const found = await app.kernel.storeFor(meta).find(meta, {});
    const records: Record<string, unknown> = {};
    for (const record of found.items) records[record.id] = { version: record.version, state: record.state };
    snapshot[meta.name] = records;
  }
  return snapshot;
}

/** An HTTP answer read off the socket. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** True when the server kept the response open (a stream) and the client gave up waiting. */
  readonly timedOut: boolean;
}

/** What to send: the request line and headers go out byte for byte. */
export interface RawRequest {
  readonly method?: string;
  /** The request target exactly as sent (no normalisation of `..`, `%2e`, `//`). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  /** Give up on a response that has not ended after this long (streams). @default 1500 */
  readonly timeoutMs?: number;
}

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parseResponse(raw: Buffer, timedOut: boolean): RawResponse {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = (headerEnd < 0 ? raw : raw.subarray(0, headerEnd)).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(statusLine.split(' ')[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
  }
  let body = headerEnd < 0 ? Buffer.alloc(0) : raw.subarray(headerEnd + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = decodeChunked(body);
  return { status, headers, body: body.toString('utf8'), timedOut };
}

/**
 * True once a whole response is in: its headers and then the declared length, the last chunk, or
 * nothing for HEAD. (Streaming answers send `Connection: keep-alive` even to a client that asked
 * for `close`, so the end of the socket cannot be waited for.)
 */
function isComplete(raw: Buffer, method: string): boolean {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) return false;
  if (method === 'HEAD') return true;
  const head = raw.subarray(0, headerEnd).toString('latin1').toLowerCase();
  const length = head.match(/\r\ncontent-length:\s*(\d+)/)?.[1];
  if (length !== undefined) return raw.length - headerEnd - 4 >= Number(length);
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) return raw.subarray(raw.length - 5).toString('latin1') === '0\r\n\r\n';
  return false;
}

/** Sends one request on its own connection (`Connection: close`) and reads the whole answer. */
export function rawRequest(target: { host: string; port: number }, request: RawRequest): Promise<RawResponse> {
  const method = request.method ?? 'GET';
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const headers: Record<string, string> = { Host: `${target.host}:${target.port}`, Connection: 'close', ...request.headers };
  const framed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding');
  if (body && !framed) headers['Content-Length'] = String(body.length);
  const head = `${method} ${request.path} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(target.port, target.host);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponse(Buffer.concat(chunks), timedOut));
    };
    const timer = setTimeout(() => finish(true), request.timeoutMs ?? 1500);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isComplete(Buffer.concat(chunks), method)) finish(false);
    });
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server may reset a connection after answering (e.g. a refused large body): keep the answer.
      if (chunks.length > 0 || error.code === 'ECONNRESET' || error.code === 'EPIPE') finish(false);
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.write(Buffer.from(head, 'latin1'));
    if (body) socket.write(body);
  });
}

/** Signs of internals leaking into an answer: stack frames, source paths, driver messages. */
export function leaksInternals(body: string): string | undefined {
  const patterns: [RegExp, string][] = [
    [/\bat [^\s()]+ \(?(?:file:\/\/)?\/[^\s)]+:\d+:\d+\)?/, 'a stack frame'],
    [new RegExp(ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the repository path'],
    [/node_modules\//, 'a node_modules path'],
    [/\.ts:\d+/, 'a source file and line'],
    [/TypeError|ReferenceError|RangeError|SyntaxError: (?!.*in JSON)/, 'a JavaScript error name'],
  ];
  for (const [pattern, what] of patterns) if (pattern.test(body)) return what;
  return undefined;
}

/** The stable error code in an error answer of any mode (JSON, Datastar SSE, HTML). */
export function errorCodeOf(body: string): string | undefined {
  return body.match(/\bSM_[A-Z]+(?:_[A-Z]+)+\b/)?.[0];
}

// ---------------------------------------------------------------------------------------------
// Generators of hostile input.

/** Percent-encodes the UTF-8 bytes of any text (lone surrogates become U+FFFD, never an exception). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Text values that have broken parsers, coercers and templates before. */
export const HOSTILE_TEXT = [
  '', ' ', '0', '-0', '1', '-1', '1.5', '01', '+1', '0x10', '0b1', '1_000', '1e308', '-1e308', '1e400', '-1e400', '2e-400',
  '9007199254740993', '123456789012345678901234567890', 'NaN', 'Infinity', '-Infinity', 'true', 'false', 'null', 'undefined',
  '[]', '{}', '[1]', '{"a":1}', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty',
  '<script>alert(1)</script>', '"><svg onload=alert(1)>', "');alert(1);//", '${alert(1)}', '{{7*7}}', '$Counter.count',
  "@post('/counter/reset')", '\u0000', '\u202e', '\ud800', '\ufeff1', '../../etc/passwd', '%00', '%', '\\', '\r\nSet-Cookie: x=1',
  'a'.repeat(300), '9'.repeat(400),
] as const;

/** Keys aimed at prototypes, at other entities' namespaces and at the events' own arguments. */
export const HOSTILE_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then',
  'amount', 'steps', 'author', 'text', 'count', 'updates', 'id', 'messages', 'total', 'progress', 'status', 'runs', 'series',
  'datastar', 'sm', 'client', 'errors', 'Counter', 'SessionCounter', 'ChatRoom', 'Dashboard', 'polluted',
] as const;

/** A hostile text value: one of the known troublemakers or random text of any code points. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: false }).map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
);

/** A hostile key. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 12 }) },
);

/** A query string made of hostile pairs, percent-encoded or left raw (brackets, dots). */
export const hostileQuery: fc.Arbitrary<string> = fc.array(
  fc.oneof(
    fc.tuple(hostileKey, hostileText).map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`),
    fc.tuple(fc.constantFrom('__proto__[polluted]', 'constructor[prototype][polluted]', 'amount[]', 'amount[0]', 'a.b.c', 'datastar'), fc.constantFrom('1', 'yes', '{"__proto__":{"polluted":1}}', '%7B', '')).map(([key, value]) => `${key}=${value}`),
    fc.constantFrom('amount', 'amount=', '=1', '&&', 'datastar=%7B%22__proto__%22%3A%7B%22polluted%22%3A1%7D%7D', 'amount=%FF', 'amount=%E0%A4%A', 'amount=%'),
  ),
  { maxLength: 6 },
).map((pairs) => pairs.join('&'));

const jsonLeaf: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '1e308', '-0', '0', '1', '5', '9007199254740993', '123456789012345678901234567890', 'true', 'false', 'null', '0.1'),
  fc.double().filter(Number.isFinite).map((value) => JSON.stringify(value)),
  hostileText.map((text) => JSON.stringify(text)),
);

/**
 * JSON text (not a value: `__proto__` stays an own key as a JSON body has it) with hostile keys,
 * wrong types, huge numbers and nesting.
 */
export const hostileJson: fc.Arbitrary<string> = fc.letrec<{ node: string; array: string; object: string }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc.array(fc.tuple(hostileKey, tie('node')), { maxLength: 5 }).map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`),
})).node;

/** A JSON object body whose keys include entity namespaces (Datastar signals for other entities). */
export const hostileSignals: fc.Arbitrary<string> = fc.array(
  fc.tuple(fc.constantFrom('Counter', 'SessionCounter', 'ChatRoom', 'Dashboard', 'sm', '__proto__', 'constructor', 'amount', 'author', 'text', 'steps'), hostileJson),
  { maxLength: 4 },
).map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`);

/** Path segments that have tricked routers and static file servers. */
export const PATH_SEGMENTS = [
  '..', '%2e%2e', '%2E%2e', '.', '%2e', '%2f', '%2F', '%5c', '%5C', '\\', '%00', '%', '%zz', '%E0%A4%A', '%C0%AE%C0%AE', '..%2f', '%2e%2e%2f',
  '', ';', ';jsessionid=1', '%3F', '%23', '~', '*', '%20', 'counter', 'Counter', 'COUNTER', 'chatroom', 'sessioncounter', 'dashboard',
  'increment', 'decrement', 'reset', 'send', 'run', 'static', 'style.css', '_starmodel', 'datastar.js', '__proto__', 'constructor',
  'prototype', 'toString', 'etc', 'passwd', 'package.json', 'starmodel.config.ts', 'node_modules', '.git', 'config',
] as const;

/** A request path built from tricky segments, random text and very long segments. */
export const hostilePath: fc.Arbitrary<string> = fc.tuple(
  fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...PATH_SEGMENTS) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }).map(percentEncode) },
      { weight: 1, arbitrary: fc.integer({ min: 256, max: 8000 }).map((length) => 'a'.repeat(length)) },
    ),
    { minLength: 1, maxLength: 6 },
  ),
  fc.constantFrom('/', '//', '/./', '/%2e/'),
  fc.option(hostileQuery, { nil: undefined }),
).map(([segments, lead, query]) => `${lead}${segments.join('/')}${query ? `?${query}` : ''}`);

/** How a client asks for its answer. */
export const ACCEPT_MODES = {
  json: { Accept: 'application/json' },
  datastar: { 'Datastar-Request': 'true', Accept: 'text/event-stream' },
  html: { Accept: 'text/html' },
} as const;

/** One of the three answer modes. */
export const acceptMode = fc.constantFrom(...(Object.keys(ACCEPT_MODES) as (keyof typeof ACCEPT_MODES)[]));
