/**
 * Two server processes sharing one Redis (spec/plugins/redis/fixtures/server.ts, each on its own
 * free port): what a user behind a load balancer notices. A change made through one instance is
 * live on the other; concurrent increments through both lose nothing; a chat message sent from a
 * browser on one instance appears in a browser on the other, once.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../../support/browser.js';
import { startServer, type ServerProcess } from '../../support/sandbox-process.js';
import { countsOf, dropPrefix, readLive, redisUrl, uniquePrefix } from './support.js';

const SERVER = 'spec/plugins/redis/fixtures/server.ts';

/** Calls an event with JSON in and out; resolves with the status and body. */
async function call(base: string, path: string, method = 'GET'): Promise<{ status: number; body: { entity?: { signals: Record<string, unknown>; version: number }; error?: { code: string; message: string } } }> {
  const response = await fetch(base + path, { method, headers: { accept: 'application/json' } });
  return { status: response.status, body: (await response.json()) as never };
}

/** Runs `total` tasks with at most `limit` in flight. */
async function bounded<T>(total: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, total) }, worker));
  return results;
}

describe('@starmodel/redis: two server processes sharing Redis', function () {
  this.timeout(120_000);
  const prefix = uniquePrefix('instances');
  let url: string | undefined;
  let first: ServerProcess | undefined;
  let second: ServerProcess | undefined;

  before(async function () {
    url = await redisUrl(this);
    if (!url) return;
    const env = { REDIS_URL: url, REDIS_PREFIX: prefix };
    [first, second] = await Promise.all([startServer(SERVER, env), startServer(SERVER, env)]);
  });
  after(async () => {
    const codes = await Promise.all([first?.stop(), second?.stop()]);
    if (url) await dropPrefix(url, prefix);
    if (first) expect(codes, `exit codes; outputs:\n${first.output()}\n${second?.output() ?? ''}`).to.deep.equal([0, 0]);
  });

  it('shows every increment made through the first instance on a /counter/live subscriber of the second', async () => {
    const live = await readLive(`${second!.url}/counter/live`);
    try {
      expect(live.status).to.equal(200);
      const [start] = countsOf(await live.until('the whole state', (events) => countsOf(events).length >= 1));
      const expected: number[] = [];
      for (let step = 1; step <= 20; step++) {
        const { status, body } = await call(first!.url, '/counter/increment?amount=1');
        expect(status).to.equal(200);
        expected.push(body.entity!.signals.count as number);
      }
      await live.until('all 20 increments', (events) => countsOf(events).length >= 21);
      expect(countsOf(live.events)).to.deep.equal([start, ...expected]);
      expect(expected.at(-1)).to.equal(start! + 20);
    } finally {
      live.stop();
    }
  });

  it('ends 2 processes x 500 concurrent increments (50 in flight per process) at exactly +1000', async () => {
    const live = await readLive(`${first!.url}/counter/live`, { accept: 'text/event-stream' });
    const [start] = countsOf(await live.until('the whole state', (events) => countsOf(events).length >= 1));
    live.stop();
    const hammer = (base: string) => bounded(500, 50, () => call(base, '/counter/increment?amount=1'));
    const [onFirst, onSecond] = await Promise.all([hammer(first!.url), hammer(second!.url)]);
    const statuses = [...onFirst, ...onSecond].map((result) => result.status);
    const failures = [...onFirst, ...onSecond].filter((result) => result.status !== 200).map((result) => result.body.error?.code);
    expect(failures, 'every increment succeeds').to.deep.equal([]);
    expect(statuses).to.have.length(1000);
    const after = await readLive(`${second!.url}/counter/live`);
    try {
      const [end] = countsOf(await after.until('the whole state', (events) => countsOf(events).length >= 1));
      expect(end).to.equal(start! + 1000);
    } finally {
      after.stop();
    }
  });

  it('sends a chat message posted to one instance to a live subscriber of the other, once', async () => {
    const live = await readLive(`${second!.url}/chatroom/live`);
    try {
      await live.until('the whole state', (events) => events.length >= 1);
      const text = `hello from the first instance ${Date.now()}`;
      const { status } = await call(first!.url, `/chatroom/send?author=Ada&text=${encodeURIComponent(text)}`, 'POST');
      expect(status).to.equal(200);
      // A second message as a marker: once it arrived, a duplicate of the first would have too.
      await call(first!.url, '/chatroom/send?author=Ada&text=marker', 'POST');
      await live.until('the marker', (events) => events.some((event) => event.data.some((line) => line.includes('marker'))));
      const fragments = live.events.filter((event) => event.event === 'datastar-merge-fragments');
      expect(fragments.filter((event) => event.data.some((line) => line.includes(text)))).to.have.length(1);
      const appended = fragments.find((event) => event.data.some((line) => line.includes(text)))!;
      expect(appended.data).to.include.members(['selector #messages', 'mergeMode append']);
    } finally {
      live.stop();
    }
  });

  describe('in a browser (Chromium)', function () {
    let browser: Browser | undefined;
    const contexts: BrowserContext[] = [];

    before(async function () {
      if (!url) return this.skip();
      browser = await launchBrowser(this);
    });
    after(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser?.close();
    });

    /** A chat page in its own browser context, once its live stream answered (so it misses nothing). */
    async function openPage(base: string): Promise<Page> {
      const context = await browser!.newContext();
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => console.log(`      page error: ${error.message}`));
      // The server subscribes before it sends the stream's headers.
      const streaming = page.waitForResponse((response) => new URL(response.url()).pathname === '/chatroom/live' && response.status() === 200);
      await page.goto(`${base}/chat`);
      await streaming;
      return page;
    }

    it('shows a message sent from a browser on the first instance in a browser on the second, once', async () => {
      const sender = await openPage(first!.url);
      const reader = await openPage(second!.url);
      const text = `Hello across instances ${Date.now()}`;
      const has = (page: Page, wanted: string) => page.waitForFunction((value) => [...document.querySelectorAll('#messages li')].some((item) => item.textContent?.includes(value)), wanted, { timeout: 15_000 });
      await sender.locator('input[name=author]').fill('Ada');
      await sender.locator('input[name=text]').fill(text);
      await sender.locator('button[type=submit]').click();
      await has(reader, text);
      // A marker message: once it shows, a duplicate of the first would show too.
      await sender.locator('input[name=text]').fill('marker');
      await sender.locator('button[type=submit]').click();
      await has(reader, 'marker');
      await has(sender, 'marker');
      expect(await reader.locator('#messages li', { hasText: text }).count()).to.equal(1);
      expect(await sender.locator('#messages li', { hasText: text }).count()).to.equal(1);
    });
  });
});
