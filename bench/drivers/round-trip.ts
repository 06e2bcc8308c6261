/**
 * @module bench/drivers/round-trip
 * Drives S1 (event round trip) and S3 (stores): `connections` keep-alive connections, each sending
 * the Datastar client's increment request as soon as its previous answer arrived (closed loop:
 * bounded load), spread over one or more server URLs. Every answer is checked byte for byte
 * (status, content type, body with only the count free) before it is timed; a wrong one ends the
 * run with exit code 1. Each count may be seen once (a repeat is a lost update) and, at the end,
 * the counter must equal the number of successful increments.
 *
 * Run by bench/run.ts: `node --import tsx bench/drivers/round-trip.ts '<json RoundTripConfig>'`;
 * prints `RESULT <json RoundTripResult>`.
 */
import { HttpConnection, LiveStream, type RawResponse } from '../lib/http-client.js';
import { cpuMs, cpuSplitMs } from '../lib/proc.js';
import { countInIncrementBody, incrementBody, incrementRequest, liveRequest, parseLiveState, SSE_CONTENT_TYPE } from '../lib/protocol.js';
import { percentile } from '../lib/stats.js';
import { connect } from 'node:net';

/** What the driver is told to do. */
export interface RoundTripConfig {
  readonly urls: readonly string[];
  readonly serverPids: readonly number[];
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Accept 409 SM_CONCURRENCY_CONFLICT answers (counted, not successful): several processes on one counter. */
  readonly allowConflicts?: boolean;
  /** Read the counter at the end and require it to equal the successful increments. @default true (off only for ablation experiments whose server does not keep the count) */
  readonly checkFinalCount?: boolean;
}

/** What it measured. */
export interface RoundTripResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU the server process(es) used during the timed window, in % of one core. */
  readonly serverCpuPct: number;
  readonly driverCpuPct: number;
  /** Server CPU time per answered request in the window, in microseconds: efficiency, whatever the driver managed. */
  readonly serverCpuUsPerRequest: number;
  /** The part of it spent in the kernel (system calls: reading requests, writing answers). */
  readonly serverSysUsPerRequest: number;
  readonly successes: number;
  readonly conflicts: number;
  readonly finalCount: number;
  /** Header names of the first answer, in order (for the report). */
  readonly headerNames: readonly string[];
  readonly bodyBytes: number;
}

function fail(message: string): never {
  process.stderr.write(`FAIL ${message}\n`);
  process.exit(1);
}

function hostOf(url: string): { host: string; hostname: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.host, hostname: parsed.hostname, port: Number(parsed.port) };
}

/** Checks one answer; returns the count it carries, or undefined for an accepted conflict. */
function check(response: RawResponse, allowConflicts: boolean, where: string): number | undefined {
  if (response.status === 409 && allowConflicts && response.contentType === SSE_CONTENT_TYPE && response.body.includes('"code":"SM_CONCURRENCY_CONFLICT"')) return undefined;
  if (response.status !== 200) fail(`${where}: status ${response.status}, expected 200\n${response.head}\n\n${response.body}`);
  if (response.contentType !== SSE_CONTENT_TYPE) fail(`${where}: content-type ${JSON.stringify(response.contentType)}, expected ${JSON.stringify(SSE_CONTENT_TYPE)}`);
  const count = countInIncrementBody(response.body);
  const expected = count === undefined ? undefined : incrementBody(count);
  if (count === undefined || response.body !== expected) {
    fail(`${where}: body differs\nexpected (count free): ${JSON.stringify(expected ?? incrementBody(0))}\ngot:                   ${JSON.stringify(response.body)}`);
  }
  if (response.headerValue('set-cookie') !== undefined) fail(`${where}: a new session was set although the request carried a valid session cookie (check BENCH_SECRET)`);
  return count;
}

/** The counter's value, read the way a page does: the first event of its live stream. */
async function readCount(url: string): Promise<number> {
  const { host, hostname, port } = hostOf(url);
  const socket = connect({ host: hostname, port });
  const stream = new LiveStream(socket);
  const first = new Promise<void>((resolve, reject) => {
    stream.onEvent(() => resolve());
    socket.once('error', reject);
    setTimeout(() => reject(new Error('no live state within 5 s')), 5000).unref();
  });
  socket.write(liveRequest(host, 'benchFinalRead'));
  await first;
  socket.destroy();
  const decoded = stream.decode();
  const state = parseLiveState(decoded.text);
  if (decoded.status !== 200 || decoded.contentType !== SSE_CONTENT_TYPE || !state) fail(`final read: unexpected live stream ${JSON.stringify(decoded)}`);
  return state.count;
}

async function main(config: RoundTripConfig): Promise<RoundTripResult> {
  const allowConflicts = config.allowConflicts ?? false;
  const requests = config.urls.map((url) => Buffer.from(incrementRequest(hostOf(url).host)));
  const seen = new Set<number>();
  let successes = 0;
  let conflicts = 0;
  const record = (count: number | undefined, where: string) => {
    if (count === undefined) {
      conflicts++;
      return;
    }
    if (seen.has(count)) fail(`${where}: count ${count} answered twice: an update was lost`);
    seen.add(count);
    successes++;
  };

  // Preflight: one answer per server, checked, before anything is timed.
  let headerNames: readonly string[] = [];
  let bodyBytes = 0;
  for (const [index, url] of config.urls.entries()) {
    const { hostname, port } = hostOf(url);
    const connection = await HttpConnection.open(hostname, port);
    const response = await connection.request(requests[index]!);
    record(check(response, allowConflicts, `preflight ${url}`), `preflight ${url}`);
    headerNames = response.headerNames;
    bodyBytes = Buffer.byteLength(response.body);
    connection.close();
  }

  const connections = await Promise.all(Array.from({ length: config.connections }, (_, index) => {
    const { hostname, port } = hostOf(config.urls[index % config.urls.length]!);
    return HttpConnection.open(hostname, port);
  }));
  const latencies: number[] = [];
  const start = performance.now();
  const windowStart = start + config.warmupMs;
  const windowEnd = windowStart + config.durationMs;
  // CPU readings at the edges of the timed window, taken by the first answer past each edge.
  const serverCpu = () => config.serverPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const serverSys = () => config.serverPids.reduce((sum, pid) => sum + cpuSplitMs(pid).system, 0);
  let atStart: { server: number; serverSys: number; driver: NodeJS.CpuUsage } | undefined;
  let used: { server: number; serverSys: number; driver: number } | undefined;
  const markEdges = (now: number) => {
    if (!atStart && now >= windowStart) atStart = { server: serverCpu(), serverSys: serverSys(), driver: process.cpuUsage() };
    if (atStart && !used && now >= windowEnd) {
      const driver = process.cpuUsage(atStart.driver);
      used = { server: serverCpu() - atStart.server, serverSys: serverSys() - atStart.serverSys, driver: (driver.user + driver.system) / 1000 };
    }
  };

  await Promise.all(connections.map((connection, index) => new Promise<void>((resolve) => {
    const request = requests[index % requests.length]!;
    const where = `connection ${index} (${config.urls[index % config.urls.length]})`;
    let sentAt = 0;
    const next = () => {
      sentAt = performance.now();
      connection.send(request, onResponse);
    };
    const onResponse = (error: Error | undefined, response?: RawResponse) => {
      const now = performance.now();
      if (error) fail(`${where}: ${error.message}`);
      markEdges(now);
      record(check(response!, allowConflicts, where), where);
      if (sentAt >= windowStart && now <= windowEnd) latencies.push(now - sentAt);
      if (now < windowEnd) next();
      else {
        connection.close();
        resolve();
      }
    };
    next();
  })));

  const finalCount = config.checkFinalCount === false ? Number.NaN : await readCount(config.urls[0]!);
  if (config.checkFinalCount !== false && finalCount !== successes) fail(`lost updates: the counter is ${finalCount} after ${successes} successful increments (${conflicts} refused with a conflict)`);
  const seconds = config.durationMs / 1000;
  return {
    requests: latencies.length, rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
    serverCpuPct: ((used?.server ?? Number.NaN) / config.durationMs) * 100, driverCpuPct: ((used?.driver ?? Number.NaN) / config.durationMs) * 100,
    serverCpuUsPerRequest: ((used?.server ?? Number.NaN) * 1000) / latencies.length,
    serverSysUsPerRequest: ((used?.serverSys ?? Number.NaN) * 1000) / latencies.length,
    successes, conflicts, finalCount, headerNames, bodyBytes,
  };
}

const config = JSON.parse(process.argv[2] ?? '{}') as RoundTripConfig;
main(config).then((result) => {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}, (error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
