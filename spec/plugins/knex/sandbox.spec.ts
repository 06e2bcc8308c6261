/**
 * The sandbox process with its SQL entities: a todo created over HTTP is still there after the
 * process restarts (SQLite file, then PostgreSQL), and two processes sharing PostgreSQL lose no
 * stock update among 100 concurrent `adjustStock(+1)`.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { startServer, type ServerProcess } from '../../support/sandbox-process.js';
import { isolatedSchema, postgresUrl, removeTempFolders, tempFolder, type IsolatedSchema } from './support.js';

const JSON_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json' };

interface RecordBody { entity: { id: string; version: number; signals: Record<string, unknown> } }
interface ErrorBody { error: { code: string; status: number } }

async function post(server: ServerProcess, path: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
}

async function record(server: ServerProcess, path: string): Promise<RecordBody['entity']> {
  const response = await fetch(`${server.url}${path}`, { headers: JSON_HEADERS });
  expect(response.status, `GET ${path}`).to.equal(200);
  return ((await response.json()) as RecordBody).entity;
}

const running: ServerProcess[] = [];

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServer('sandbox/server.ts', env);
  running.push(server);
  return server;
}

async function stop(server: ServerProcess): Promise<void> {
  running.splice(running.indexOf(server), 1);
  expect(await server.stop(), `exit code; output:\n${server.output()}`).to.equal(0);
}

/** Creates a todo, restarts the sandbox on the same database, and finds the todo again. */
async function survivesRestart(env: Record<string, string>, where: RegExp): Promise<void> {
  const first = await start(env);
  expect(first.output()).to.match(where);
  const created = await post(first, '/todo/create', { title: '  Water the plants ' });
  expect(created.status).to.equal(200);
  const { id } = ((await created.json()) as RecordBody).entity;
  expect((await post(first, `/todo/${id}/toggle`)).status).to.equal(200);
  await stop(first);

  const second = await start(env);
  const todo = await record(second, `/todo/${id}`);
  expect(todo.signals).to.include({ title: 'Water the plants', done: true });
  expect(todo.version).to.equal(2);
  const page = await (await fetch(`${second.url}/todos`)).text();
  expect(page).to.include('value="Water the plants"');
  await stop(second);
}

describe('sandbox with SQL entities', function () {
  this.timeout(120_000);
  let schema: IsolatedSchema | undefined;

  afterEach(async () => {
    for (const server of running.splice(0)) await server.stop();
  });
  after(async () => {
    await schema?.drop();
    removeTempFolders();
  });

  it('keeps a todo created over HTTP across a restart (SQLite file)', async () => {
    const file = join(tempFolder(), 'sandbox.sqlite');
    await survivesRestart({ STARMODEL_SQLITE_FILE: file, DATABASE_URL: '' }, new RegExp(`using SQLite file ${file.replace(/[.]/g, '\\.')}`));
  });

  describe('on PostgreSQL', function () {
    let url: string;
    before(async function () {
      const found = await postgresUrl(this);
      if (!found) return;
      schema = await isolatedSchema(found);
      url = schema.url;
    });

    it('keeps a todo created over HTTP across a restart (DATABASE_URL)', async () => {
      await survivesRestart({ DATABASE_URL: url }, /using PostgreSQL \S+:\d+\//);
    });

    it('ends at exactly +100 after 100 concurrent adjustStock(+1) from two processes', async () => {
      const servers = [await start({ DATABASE_URL: url }), await start({ DATABASE_URL: url })];
      const created = await post(servers[0]!, '/product/create', { name: 'Widget', price: 2.5, stock: 0, category: 'tools' });
      const { id } = ((await created.json()) as RecordBody).entity;
      let retried = 0;
      const adjust = async (index: number) => {
        const server = servers[index % 2]!;
        for (;;) {
          const response = await post(server, `/product/${id}/adjustStock?delta=1`);
          if (response.status === 200) return;
          const body = (await response.json()) as ErrorBody;
          // After its own retries the dispatcher answers 409 "try again"; a client does.
          expect(body.error.code, `request ${index}`).to.equal('SM_CONCURRENCY_CONFLICT');
          retried++;
        }
      };
      await Promise.all(Array.from({ length: 100 }, (_, index) => adjust(index)));
      for (const server of servers) {
        const product = await record(server, `/product/${id}`);
        expect(product.signals.stock, `stock seen by ${server.url} (${retried} requests were told to try again)`).to.equal(100);
        expect(product.version).to.equal(101);
      }
      for (const server of servers) await stop(server);
    });
  });
});
