/**
 * Structured logs, captured from a pino destination stream: one line per request and per event
 * with a request id, JSON in production and pretty in development, and secrets never written,
 * whether they come as fields, headers, URLs or inside a message.
 */
import { expect } from 'chai';
import { Entity, event, type Logger } from '../../../kernel/index.js';
import { opsLogger } from '../../../plugins/ops/index.js';
import { LogCapture, startOpsApp, type OpsApp } from './support.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) { this.count += amount; }
  @event() fail() { throw new Error('could not reach postgres://app:hunter2@db.internal:5432/app (password=hunter2)'); }
}

const json = { Accept: 'application/json' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
  const previous = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return fn();
  } finally {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
  }
}

describe('ops: logs', function () {
  describe('request and event lines', () => {
    let app: OpsApp;
    before(async () => {
      app = await startOpsApp([Counter]);
    });
    after(() => app.close());
    beforeEach(() => {
      app.logs.raw.length = 0;
    });

    it('writes one line per request with its id (also on the response), method, path, route, status and duration', async () => {
      const response = await app.get('/counter/increment?amount=2', json);
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).to.match(UUID);
      const requests = app.logs.lines.filter((line) => line.method);
      expect(requests).to.have.length(1);
      expect(requests[0]).to.include({ reqId: id, method: 'GET', path: '/counter/increment', route: '/counter/increment', status: 200, level: 'info' });
      expect(requests[0]?.ms).to.be.a('number');
    });

    it('logs a Datastar event request (served outside Koa\'s cycle) the same way, with its event line', async () => {
      const response = await app.get('/counter/increment?amount=2', { 'Datastar-Request': 'true', 'X-Request-Id': 'req-datastar' });
      expect(response.headers.get('content-type')).to.equal('text/event-stream');
      expect(response.headers.get('x-request-id')).to.equal('req-datastar');
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      await response.text();
      const request = app.logs.lines.find((line) => line.method && line.reqId === 'req-datastar');
      expect(request).to.include({ method: 'GET', path: '/counter/increment', route: '/counter/increment', status: 200, level: 'info' });
      const eventLine = app.logs.lines.find((line) => line.event && line.reqId === 'req-datastar');
      expect(eventLine).to.include({ entity: 'Counter', event: 'increment', outcome: 'ok' });
    });

    it('keeps a sane incoming X-Request-Id and replaces one that is not', async () => {
      const kept = await app.get('/healthz', { 'X-Request-Id': 'lb-7f3a.42:abc' });
      expect(kept.headers.get('x-request-id')).to.equal('lb-7f3a.42:abc');
      const tooLong = await app.get('/healthz', { 'X-Request-Id': 'a'.repeat(200) });
      expect(tooLong.headers.get('x-request-id')).to.match(UUID);
      const odd = await app.get('/healthz', { 'X-Request-Id': 'x" injected="1' });
      expect(odd.headers.get('x-request-id')).to.match(UUID);
    });

    it('writes one line per event with entity, event, outcome, duration and the request id', async () => {
      const ok = await app.get('/counter/increment', { ...json, 'X-Request-Id': 'req-ok' });
      expect(ok.status).to.equal(200);
      await app.get('/counter/increment?amount=abc', { ...json, 'X-Request-Id': 'req-bad' });
      await app.get('/counter/fail', { ...json, 'X-Request-Id': 'req-fail' });
      const events = app.logs.lines.filter((line) => line.event);
      expect(events.map((line) => [line.reqId, line.entity, line.event, line.outcome, line.level])).to.deep.equal([
        ['req-ok', 'Counter', 'increment', 'ok', 'info'],
        ['req-bad', 'Counter', 'increment', 'rejected', 'info'],
        ['req-fail', 'Counter', 'fail', 'failed', 'warn'],
      ]);
      expect(events[1]).to.include({ status: 400, code: 'SM_VALIDATION_FAILED' });
      for (const line of events) expect(line.ms).to.be.a('number');
      const failedRequest = app.logs.lines.find((line) => line.reqId === 'req-fail' && line.method);
      expect(failedRequest).to.include({ status: 500, level: 'error' });
    });

    it('logs probes and scrapes at debug level only, so they do not drown the rest', async () => {
      await app.get('/healthz');
      await app.get('/readyz');
      await app.get('/metrics');
      expect(app.logs.lines.filter((line) => line.method)).to.deep.equal([]);
    });

    it('never writes the query string, the Authorization header or cookies of a request', async () => {
      await app.get('/counter/increment?amount=1&token=tok-123456', { ...json, Authorization: 'Bearer abc.def.ghi', Cookie: 'sm.sid=cookie-value-xyz' });
      expect(app.logs.text).to.include('/counter/increment');
      expect(app.logs.text).not.to.include('tok-123456');
      expect(app.logs.text).not.to.include('abc.def.ghi');
      expect(app.logs.text).not.to.include('cookie-value-xyz');
    });
  });

  describe('the kernel logging through pino (createApp({ logger: opsLogger() }))', () => {
    let capture: LogCapture;
    let app: OpsApp;
    before(async () => {
      capture = new LogCapture();
      const logger = opsLogger({ format: 'json', stream: capture });
      // No logStream for the plugin: it shares the kernel's pino.
      app = await startOpsApp([Counter], { logStream: undefined }, { logger });
    });
    after(() => app.close());

    it('writes the kernel\'s and plugins\' lines as JSON, stamped with the plugin and, within a request, its id', async () => {
      await app.get('/counter/fail', { ...json, 'X-Request-Id': 'req-kernel' });
      const lines = capture.lines;
      const fromWeb = lines.find((line) => line.level === 'error' && String(line.msg).startsWith('Counter.fail'));
      expect(fromWeb, JSON.stringify(lines)).to.include({ reqId: 'req-kernel', code: 'SM_EVENT_FAILED' });
      expect(lines.find((line) => String(line.msg).startsWith('listening on'))).to.include({ plugin: '@starmodel/koa' });
      expect(lines.some((line) => line.event === 'fail' && line.reqId === 'req-kernel')).to.equal(true);
    });

    it('scrubs passwords inside messages and connection URLs', () => {
      expect(capture.text).to.include('could not reach postgres://app:[redacted]@db.internal:5432/app');
      expect(capture.text).not.to.include('hunter2');
    });

    it('replaces password, secret, token, authorization and cookie fields at any depth', () => {
      const log: Logger = app.app.kernel.log.child('spec');
      log.info('signing in', {
        user: { name: 'ada', password: 'pw-1', profile: { apiKey: 'key-2' } },
        headers: { authorization: 'Bearer tok-3', cookie: 'sm.sid=sess-4', 'set-cookie': ['sm.sid=sess-5'], accept: 'text/html' },
        clientSecret: 'sec-6', refreshToken: 'tok-7', list: [{ password: 'pw-8' }],
      });
      const line = capture.lines.find((entry) => entry.msg === 'signing in');
      expect(line).to.deep.include({ user: { name: 'ada', password: '[redacted]', profile: { apiKey: '[redacted]' } } });
      expect(line?.headers).to.deep.equal({ authorization: '[redacted]', cookie: '[redacted]', 'set-cookie': '[redacted]', accept: 'text/html' });
      for (const secret of ['pw-1', 'key-2', 'tok-3', 'sess-4', 'sess-5', 'sec-6', 'tok-7', 'pw-8']) expect(capture.text).not.to.include(secret);
    });
  });

  describe('format', () => {
    it('writes JSON lines when NODE_ENV is production, pretty lines otherwise', () => {
      const production = new LogCapture();
      withEnv('NODE_ENV', 'production', () => opsLogger({ stream: production }).info('hello from production', { n: 1 }));
      expect(JSON.parse(production.text.trim())).to.include({ msg: 'hello from production', n: 1, level: 'info' });

      const development = new LogCapture();
      withEnv('NODE_ENV', 'development', () => opsLogger({ stream: development }).info('hello from development', { n: 2 }));
      expect(development.text).to.include('hello from development');
      expect(development.text).to.match(/INFO/);
      expect(() => JSON.parse(development.text.trim())).to.throw();
    });

    it('honours STARMODEL_LOG_LEVEL', () => {
      const capture = new LogCapture();
      const logger = withEnv('STARMODEL_LOG_LEVEL', 'warn', () => opsLogger({ format: 'json', stream: capture }));
      logger.info('not shown');
      logger.warn('shown');
      expect(capture.lines.map((line) => line.msg)).to.deep.equal(['shown']);
    });

    it('pretty lines carry no secrets either', () => {
      const capture = new LogCapture();
      opsLogger({ format: 'pretty', stream: capture }).info('token=abc123 for postgres://u:pw-9@h/db', { password: 'pw-10' });
      expect(capture.text).not.to.include('abc123');
      expect(capture.text).not.to.include('pw-9');
      expect(capture.text).not.to.include('pw-10');
    });
  });

  it('writes no request or event lines when requestLogs and eventLogs are false', async () => {
    const app = await startOpsApp([Counter], { requestLogs: false, eventLogs: false });
    try {
      await app.get('/counter/increment', json);
      expect(app.logs.lines.filter((line) => line.method || line.event)).to.deep.equal([]);
    } finally {
      await app.close();
    }
  });
});
