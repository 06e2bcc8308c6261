/**
 * Faults caused for real against the sandbox in-process: clients that vanish mid-request, a
 * slowloris body, hundreds of live streams cut off at once, and a commit that fails after the
 * store was written. The server must live, keep serving, leak nothing and keep the store whole.
 */
import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import { STAGE_AFTER_PERSIST, type UnitOfWork } from '../../kernel/index.js';
import { ACCEPT_MODES, errorCodeOf, leaksInternals, snapshotStore, startSandbox, type SandboxApp } from '../support/fuzz.js';
import { openLive, parseSse, signalsOf } from '../support/web-app.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true or the time is up; resolves with the last value seen. */
async function eventually<T>(read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await pause(25);
    value = await read();
  }
  return value;
}

describe('reliability: faults', function () {
  this.timeout(30_000);
  let sandbox: SandboxApp;
  const counts = { faults: 0 };
  before(async () => {
    sandbox = await startSandbox();
  });
  beforeEach(() => {
    sandbox.log.errors.length = 0;
  });
  after(async () => {
    console.log(`      faults: ${counts.faults} injected`);
    await sandbox.close();
  });

  const openSocket = () => new Promise<Socket>((resolve, reject) => {
    const socket = connect(sandbox.port, sandbox.host, () => resolve(socket));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
  });
  const connections = () => new Promise<number>((resolve) => sandbox.web.server.getConnections((_error, count) => resolve(count)));
  const alive = async () => (await fetch(`${sandbox.url}/counter/increment?amount=0`, { headers: ACCEPT_MODES.json })).status;

  it('lives through clients that disconnect mid-headers and mid-body, storing nothing and logging no error', async () => {
    const before = await snapshotStore(sandbox.app);
    const baseline = await connections();
    const body = JSON.stringify({ author: 'ghost', text: 'never arrives in full' });
    for (let index = 0; index < 30; index++) {
      const socket = await openSocket();
      const head = `POST /chatroom/send HTTP/1.1\r\nHost: ${sandbox.host}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      if (index % 3 === 0) socket.write(head.slice(0, 40));
      else socket.write(head + body.slice(0, body.length / 2));
      await pause(5);
      if (index % 2 === 0) socket.resetAndDestroy();
      else socket.destroy();
      counts.faults++;
    }
    expect(await eventually(connections, (count) => count <= baseline), 'open connections back to where they were').to.be.at.most(baseline);
    expect(await alive()).to.equal(200);
    const after = await snapshotStore(sandbox.app);
    expect(after.ChatRoom, 'no half-received message was stored').to.deep.equal(before.ChatRoom);
    expect([...new Set(sandbox.log.errors.map((line) => line.split('\n')[0]))], 'an aborted upload is not a server error').to.deep.equal([]);
  });

  it('keeps serving other clients while slowloris clients trickle a body, and bounds how long a request may take', async () => {
    const sockets: Socket[] = [];
    for (let index = 0; index < 20; index++) {
      const socket = await openSocket();
      socket.write(`POST /chatroom/send HTTP/1.1\r\nHost: ${sandbox.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"author":"slow",`);
      sockets.push(socket);
      counts.faults++;
    }
    const trickle = setInterval(() => { for (const socket of sockets) socket.write(' '); }, 100);
    try {
      for (let index = 0; index < 10; index++) expect(await alive(), 'served while slow clients hold connections').to.equal(200);
      await pause(500);
    } finally {
      clearInterval(trickle);
      for (const socket of sockets) socket.destroy();
    }
    const server = sandbox.web.server;
    console.log(`      slowloris: requestTimeout ${server.requestTimeout} ms, headersTimeout ${server.headersTimeout} ms, socket timeout ${server.timeout} ms, keepAliveTimeout ${server.keepAliveTimeout} ms`);
    // Node's defaults let a client hold a connection for 5 minutes by trickling a body; live streams
    // are unaffected by requestTimeout (it covers receiving the request, not sending the answer).
    expect(server.requestTimeout, 'requestTimeout (ms) the web plugin sets').to.be.greaterThan(0).and.at.most(60_000);
    expect(server.headersTimeout, 'headersTimeout (ms)').to.be.greaterThan(0).and.at.most(server.requestTimeout);
  });

  it('forgets hundreds of idle live streams cut off at once (web.live.size returns to its start)', async () => {
    const baseline = sandbox.web.live.size;
    const sockets: Socket[] = [];
    const paths = ['/counter/live', '/chatroom/live', '/sessioncounter/live', '/dashboard/live'];
    for (let index = 0; index < 200; index++) {
      const socket = await openSocket();
      socket.write(`GET ${paths[index % paths.length]} HTTP/1.1\r\nHost: ${sandbox.host}\r\nDatastar-Request: true\r\n\r\n`);
      sockets.push(socket);
    }
    expect(await eventually(() => sandbox.web.live.size, (size) => size >= baseline + 200), 'all 200 streams registered').to.equal(baseline + 200);
    for (const [index, socket] of sockets.entries()) {
      if (index % 2 === 0) socket.resetAndDestroy();
      else socket.destroy();
      counts.faults++;
    }
    expect(await eventually(() => sandbox.web.live.size, (size) => size === baseline), 'live streams left registered').to.equal(baseline);
    // Publishing to the topics the dead streams listened on reaches no one and breaks nothing.
    expect(await alive()).to.equal(200);
    const chat = await fetch(`${sandbox.url}/chatroom/send`, { method: 'POST', headers: { ...ACCEPT_MODES.json, 'Content-Type': 'application/json' }, body: JSON.stringify({ author: 'a', text: 'after the cut' }) });
    expect(chat.status).to.equal(200);
    expect(sandbox.log.errors.map((line) => line.split('\n')[0]), 'a stream cut off is not a server error').to.deep.equal([]);
  });

  describe('a commit that fails after the store was written (a tap at STAGE_AFTER_PERSIST)', () => {
    let failOn: ((unit: UnitOfWork) => boolean) | undefined;
    before(() => {
      sandbox.app.kernel.pluginApi('spec-faulty-audit').hooks.commit.tap((unit) => {
        if (failOn?.(unit)) throw new Error('audit table is gone (injected by the spec)');
      }, { stage: STAGE_AFTER_PERSIST });
    });
    afterEach(() => {
      failOn = undefined;
      sandbox.log.errors.length = 0;
    });

    it('leaves the store as it was, publishes nothing, answers 500 SM_STORE_FAILED without internals, and the next event works', async () => {
      await fetch(`${sandbox.url}/counter/increment?amount=2`, { headers: ACCEPT_MODES.json });
      const before = (await snapshotStore(sandbox.app)).Counter!.global as { version: number; state: { count: number } };
      const live = await openLive(`${sandbox.url}/counter/live`);
      try {
        await live.waitFor(1);
        failOn = (unit) => unit.meta.name === 'Counter';
        counts.faults++;
        const response = await fetch(`${sandbox.url}/counter/increment?amount=5`, { headers: ACCEPT_MODES.json });
        const text = await response.text();
        expect(response.status).to.equal(500);
        expect(errorCodeOf(text)).to.equal('SM_STORE_FAILED');
        expect(leaksInternals(text)).to.equal(undefined);
        expect(text, 'the driver message stays in the log').not.to.include('audit table');
        expect((await snapshotStore(sandbox.app)).Counter!.global, 'the store is as it was').to.deep.equal(before);
        await pause(100);
        expect(live.events, 'nothing was published').to.have.length(1);

        failOn = undefined;
        const next = (await (await fetch(`${sandbox.url}/counter/increment?amount=5`, { headers: ACCEPT_MODES.json })).json()) as { entity: { version: number; signals: { count: number } } };
        expect(next.entity.version).to.equal(before.version + 1);
        expect(next.entity.signals.count).to.equal(before.state.count + 5);
        const events = await live.waitFor(2);
        expect((signalsOf(events[1]!).Counter as { count: number }).count).to.equal(before.state.count + 5);
      } finally {
        live.stop();
      }
    });

    it('keeps the steps a generator committed before the failing one, and reports the failure in the stream', async () => {
      const first = await fetch(`${sandbox.url}/`);
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
      const sessionId = cookie.slice(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
      let steps = 0;
      failOn = (unit) => unit.meta.name === 'Dashboard' && ++steps === 2;
      counts.faults++;
      const response = await fetch(`${sandbox.url}/dashboard/run?steps=3`, { headers: { ...ACCEPT_MODES.datastar, Cookie: cookie } });
      const events = parseSse(await response.text()).map(signalsOf);
      expect(events.map((signals) => (signals.Dashboard as { progress?: number } | undefined)?.progress).filter(Boolean)).to.deep.equal([33]);
      expect((events.at(-1)!.sm as { error: { code: string } }).error.code).to.equal('SM_STORE_FAILED');
      const stored = (await snapshotStore(sandbox.app)).Dashboard![sessionId] as { version: number; state: { progress: number; status: string } };
      expect(stored.version, 'only the first step was committed').to.equal(1);
      expect(stored.state).to.include({ progress: 33, status: 'running' });
    });
  });
});
