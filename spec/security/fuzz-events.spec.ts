/**
 * Property-based fuzzing of the sandbox's event endpoints (fast-check, fixed seed; FUZZ_SEED and
 * FUZZ_RUNS override). For every hostile input the server must live, answer below 500, give a
 * stable SM_ code with any 4xx, leak no internals, and change no entity unless the input was valid
 * (and then only the entity the request addressed).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ACCEPT_MODES, acceptMode, errorCodeOf, fuzzSettings, hostileJson, hostilePath, hostileQuery, hostileSignals, leaksInternals, percentEncode,
  rawRequest, snapshotStore, startSandbox, type RawResponse, type SandboxApp,
} from '../support/fuzz.js';

/** The sandbox's event routes and which record each one may change. */
const ROUTES = [
  { method: 'GET', path: '/counter/increment', entity: 'Counter', scope: 'global' },
  { method: 'GET', path: '/counter/decrement', entity: 'Counter', scope: 'global' },
  { method: 'POST', path: '/counter/reset', entity: 'Counter', scope: 'global' },
  { method: 'GET', path: '/sessioncounter/increment', entity: 'SessionCounter', scope: 'session' },
  { method: 'GET', path: '/sessioncounter/decrement', entity: 'SessionCounter', scope: 'session' },
  { method: 'POST', path: '/sessioncounter/reset', entity: 'SessionCounter', scope: 'session' },
  { method: 'POST', path: '/chatroom/send', entity: 'ChatRoom', scope: 'global' },
  // Dashboard.run is slow when valid (8 x 120 ms): the fuzz always sends it an invalid `steps`.
  { method: 'GET', path: '/dashboard/run', entity: 'Dashboard', scope: 'session', forcedQuery: 'steps=0' },
] as const;
type Route = (typeof ROUTES)[number];

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml', ''] as const;

describe('security: fuzzing the event endpoints', function () {
  this.timeout(60_000);
  let sandbox: SandboxApp;
  let cookie = '';
  let sessionId = '';
  let prototypeKeys: string[] = [];
  const counts = { requests: 0, refused: 0, accepted: 0, parserRefusals: 0 };

  before(async () => {
    prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    sandbox = await startSandbox();
    const first = await fetch(`${sandbox.url}/`);
    const setCookie = first.headers.get('set-cookie') ?? '';
    cookie = setCookie.split(';')[0] ?? '';
    sessionId = cookie.slice(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
    expect(sessionId, 'a session cookie from the landing page').to.have.length(22);
  });
  after(async () => {
    console.log(`      fuzz: ${counts.requests} hostile requests (${counts.refused} refused with a code, ${counts.accepted} accepted as valid, ${counts.parserRefusals} refused by Node's HTTP parser), seed ${fuzzSettings(0).seed}`);
    await sandbox.close();
  });

  const target = () => ({ host: sandbox.host, port: sandbox.port });

  /** Which stored record a request on `route` may change when it is accepted. */
  const ownRecord = (route: Route) => ({ entity: route.entity, id: route.scope === 'global' ? 'global' : sessionId });

  /** Sends one request and checks every promise that holds for any input. */
  async function check(request: Parameters<typeof rawRequest>[1], own: { entity: string; id: string } | 'any' | undefined): Promise<RawResponse> {
    const before = await snapshotStore(sandbox.app);
    const response = await rawRequest(target(), { ...request, headers: { Cookie: cookie, ...request.headers } });
    const after = await snapshotStore(sandbox.app);
    counts.requests++;
    const label = `${request.method ?? 'GET'} ${request.path.slice(0, 200)} -> ${response.status} ${response.body.slice(0, 300)}`;
    expect(response.status, label).to.be.within(100, 499);
    expect(leaksInternals(response.body), label).to.equal(undefined);
    expect(sandbox.log.errors, `server logged errors for ${label}`).to.deep.equal([]);
    // Koa's own middleware marks every answer it writes; Node's parser refusals do not have it.
    const fromParser = response.headers['x-content-type-options'] === undefined;
    if (fromParser) counts.parserRefusals++;
    if (response.status >= 400) {
      if (!fromParser) {
        counts.refused++;
        if (request.method !== 'HEAD') expect(errorCodeOf(response.body), `stable code in ${label}`).to.be.a('string');
        if (response.headers['content-type']?.startsWith('application/json')) {
          const body = JSON.parse(response.body) as { error?: { status?: number } };
          expect(body.error?.status, `the status in the body matches the answer's: ${label}`).to.equal(response.status);
        }
      }
      expect(after, `nothing changes on a refused request: ${label}`).to.deep.equal(before);
    } else {
      counts.accepted++;
      // An accepted event may change its own entity's record and nothing else. (A random path may
      // spell a real event, case-insensitively: then any change is allowed.)
      if (own === 'any') return response;
      const mask = (snapshot: Record<string, Record<string, unknown>>) => {
        const copy = structuredClone(snapshot);
        if (own && copy[own.entity]) delete copy[own.entity]![own.id];
        return copy;
      };
      expect(mask(after), `only the addressed entity may change: ${label}`).to.deep.equal(mask(before));
    }
    return response;
  }

  it('refuses hostile query strings on every event route with a 4xx and a stable code, changing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), hostileQuery, acceptMode, async (route, query, mode) => {
        const forced = 'forcedQuery' in route ? `${route.forcedQuery}&` : '';
        const search = `${forced}${query}`;
        await check({ method: route.method, path: `${route.path}${search ? `?${search}` : ''}`, headers: ACCEPT_MODES[mode] }, ownRecord(route));
      }),
      fuzzSettings(200),
    );
  });

  it('refuses hostile JSON bodies and Datastar signals (wrong types, huge numbers, nesting, __proto__, other entities\' namespaces)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.oneof(hostileJson, hostileSignals), fc.constantFrom(...CONTENT_TYPES), acceptMode, async (route, json, contentType, mode) => {
        const forced = 'forcedQuery' in route ? route.forcedQuery : '';
        // GET events read signals from ?datastar= (the body of a GET is ignored); others from the body.
        const request = route.method === 'GET'
          ? { method: 'GET', path: `${route.path}?${forced ? `${forced}&` : ''}datastar=${percentEncode(json)}`, headers: ACCEPT_MODES[mode] }
          : { method: route.method, path: `${route.path}${forced ? `?${forced}` : ''}`, headers: { ...ACCEPT_MODES[mode], ...(contentType ? { 'Content-Type': contentType } : {}) }, body: json };
        await check(request, ownRecord(route));
      }),
      fuzzSettings(200),
    );
  });

  it('answers path tricks (.., %2e%2e, encoded slashes, null bytes, very long paths) and any method below 500, serving no file outside /static', async () => {
    await fc.assert(
      fc.asyncProperty(hostilePath, fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), acceptMode, async (path, method, mode) => {
        const response = await check({ method, path, headers: ACCEPT_MODES[mode], timeoutMs: 400 }, 'any');
        if (response.status < 300) {
          for (const secret of ['root:x:0:0', '"workspaces"', 'defineConfig(', 'STARMODEL_SECRET', 'spec-secret']) {
            expect(response.body, `${method} ${path} served a file it must not`).not.to.include(secret);
          }
        }
      }),
      fuzzSettings(200),
    );
  });

  it('refuses unknown events and entities with 404 SM_EVENT_UNKNOWN / SM_ENTITY_UNKNOWN, including names that exist on every object', async () => {
    for (const name of ['nope', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'live2', 'increment%00', 'increment%20', 'incr%65ment']) {
      const event = await check({ path: `/counter/${name}`, headers: ACCEPT_MODES.json }, undefined);
      expect(event.status, name).to.equal(404);
      expect(errorCodeOf(event.body), name).to.equal('SM_EVENT_UNKNOWN');
      const entity = await check({ path: `/${name}/increment`, headers: ACCEPT_MODES.json }, undefined);
      expect(entity.status, name).to.equal(404);
      expect(errorCodeOf(entity.body), name).to.equal('SM_ENTITY_UNKNOWN');
    }
  });

  it('answers methods the router does not know (TRACE, PROPFIND, M-SEARCH) with a 4xx whose body carries the same status', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'M-SEARCH']) {
      for (const path of ['/', '/counter/increment', '/nowhere']) {
        const response = await check({ method, path, headers: ACCEPT_MODES.json }, undefined);
        expect(response.status, `${method} ${path}`).to.be.within(400, 499);
      }
    }
  });

  it('refuses a 10 MB body with 413 SM_WEB_BODY_TOO_LARGE, whether its length is declared or chunked', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    for (const route of ROUTES.filter((candidate) => candidate.method === 'POST')) {
      const declared = await check({ method: 'POST', path: route.path, headers: { ...ACCEPT_MODES.json, 'Content-Type': 'application/json' }, body: big, timeoutMs: 5000 }, undefined);
      expect(declared.status, route.path).to.equal(413);
      expect(errorCodeOf(declared.body)).to.equal('SM_WEB_BODY_TOO_LARGE');
      const chunk = Buffer.concat([Buffer.from(`${(big.length).toString(16)}\r\n`), big, Buffer.from('\r\n0\r\n\r\n')]);
      const chunked = await check({ method: 'POST', path: route.path, headers: { ...ACCEPT_MODES.json, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body: chunk, timeoutMs: 5000 }, undefined);
      expect(chunked.status, `${route.path} chunked`).to.equal(413);
      expect(errorCodeOf(chunked.body)).to.equal('SM_WEB_BODY_TOO_LARGE');
    }
  });

  it('survives JSON nested 30,000 levels deep in a body and in ?datastar=, answering below 500', async () => {
    const depth = 30_000;
    const arrays = '['.repeat(depth) + ']'.repeat(depth);
    const objects = '{"a":'.repeat(depth / 6) + '1' + '}'.repeat(depth / 6);
    for (const body of [arrays, objects]) {
      await check({ method: 'POST', path: '/chatroom/send', headers: { ...ACCEPT_MODES.json, 'Content-Type': 'application/json' }, body }, ownRecord(ROUTES[6]));
      await check({ method: 'POST', path: '/counter/reset', headers: { ...ACCEPT_MODES.json, 'Content-Type': 'application/json' }, body }, ownRecord(ROUTES[2]));
    }
    const shallow = '['.repeat(4000) + ']'.repeat(4000);
    await check({ path: `/counter/increment?amount=0&datastar=${percentEncode(shallow)}`, headers: ACCEPT_MODES.json }, ownRecord(ROUTES[0]));
  });

  it('refuses a body that is not valid UTF-8 with 400 SM_WEB_BAD_BODY instead of storing replacement characters', async () => {
    const invalid = Buffer.concat([Buffer.from('{"author":"mallory","text":"hi '), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    const response = await check({ method: 'POST', path: '/chatroom/send', headers: { ...ACCEPT_MODES.json, 'Content-Type': 'application/json' }, body: invalid }, ownRecord(ROUTES[6]));
    expect(response.status, response.body).to.equal(400);
    expect(errorCodeOf(response.body)).to.equal('SM_WEB_BAD_BODY');
  });

  it('does not run an event for HEAD (a safe method that link checkers and monitors send)', async () => {
    const before = await snapshotStore(sandbox.app);
    const response = await rawRequest(target(), { method: 'HEAD', path: '/counter/increment?amount=5', headers: { Cookie: cookie, ...ACCEPT_MODES.json } });
    expect(response.status).to.be.within(400, 499);
    expect(await snapshotStore(sandbox.app), 'HEAD changed the counter').to.deep.equal(before);
  });

  it('answers requests that Node\'s HTTP parser refuses (oversized headers, a broken request line) with a stable code, and keeps serving', async () => {
    const oversized = await rawRequest(target(), { path: `/counter/${'a'.repeat(20_000)}`, headers: ACCEPT_MODES.json });
    expect(oversized.status).to.equal(431);
    const broken = await rawRequest(target(), { method: 'GET /x', path: '/counter/increment', headers: ACCEPT_MODES.json });
    expect(broken.status).to.equal(400);
    const alive = await fetch(`${sandbox.url}/counter/increment?amount=0`, { headers: ACCEPT_MODES.json });
    expect(alive.status, 'the server still serves after parser refusals').to.equal(200);
    expect(errorCodeOf(oversized.body), `431 body: "${oversized.body}"`).to.be.a('string');
    expect(errorCodeOf(broken.body), `400 body: "${broken.body}"`).to.be.a('string');
  });

  it('leaves no prototype polluted in the server process after all of the above', () => {
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(prototypeKeys);
    for (const proto of [Array.prototype, Function.prototype, String.prototype]) {
      expect(Object.getOwnPropertyNames(proto), 'no "polluted" key').not.to.include('polluted');
    }
  });
});
