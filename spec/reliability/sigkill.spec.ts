/**
 * A real `kill -9` of the sandbox process in the middle of a burst of `Product.adjustStock(+1)`
 * against PostgreSQL, then a restart on the same database.
 *
 * What "never half-written" means here: every product starts at stock 0, version 1, and each
 * committed `adjustStock(+1)` is one conditional UPDATE that adds 1 to `stock` and 1 to `version`
 * together. So a row holds either its old or its new state exactly when `stock === version - 1`
 * and its other fields (name, price, category) are still the ones it was created with. A stock
 * without its version (or the reverse) would break the equation.
 *
 * What "no acknowledged update is lost, nothing unasked is added" means: per product and in total,
 * acknowledged (answered 200) ≤ stored stock ≤ acknowledged + in flight, where "in flight" are the
 * requests sent before the kill that never got an answer (their commit may or may not have landed).
 */
import { expect } from 'chai';
import knexFactory from 'knex';
import { startServer, type ServerProcess } from '../support/sandbox-process.js';
import { isolatedSchema, postgresUrl, type IsolatedSchema } from '../plugins/knex/support.js';

const JSON_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/json' };
const PRODUCTS = 4;
const MAX_REQUESTS = 300;
const CONCURRENCY = 16;
/** The kill comes once this many increments were acknowledged, so others are surely in flight. */
const KILL_AFTER_ACKNOWLEDGED = 60;

interface Entity { id: string; version: number; signals: Record<string, unknown> }
interface Tally { acknowledged: number; inFlight: number; refused: number }

async function post(url: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
}

async function read(server: ServerProcess, id: string): Promise<Entity> {
  const response = await fetch(`${server.url}/product/${id}`, { headers: JSON_HEADERS });
  expect(response.status, `GET /product/${id}`).to.equal(200);
  return ((await response.json()) as { entity: Entity }).entity;
}

function exited(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => server.child.once('exit', () => resolve()));
}

/**
 * Sends up to MAX_REQUESTS increments, CONCURRENCY at a time, round-robin over the products, and
 * SIGKILLs the server once KILL_AFTER_ACKNOWLEDGED were answered 200. No request starts after the kill.
 */
async function burstAndKill(server: ServerProcess, ids: readonly string[]): Promise<{ tallies: Map<string, Tally>; sent: number }> {
  const tallies = new Map(ids.map((id) => [id, { acknowledged: 0, inFlight: 0, refused: 0 }]));
  let sent = 0;
  let acknowledged = 0;
  let killed = false;
  const worker = async () => {
    while (!killed && sent < MAX_REQUESTS) {
      const id = ids[sent++ % ids.length]!;
      const tally = tallies.get(id)!;
      try {
        const response = await post(`${server.url}/product/${id}/adjustStock?delta=1`);
        await response.arrayBuffer();
        if (response.status === 200) {
          tally.acknowledged++;
          if (++acknowledged === KILL_AFTER_ACKNOWLEDGED) {
            killed = true;
            server.child.kill('SIGKILL');
          }
        } else {
          expect(response.status, 'only 200, or 409 "try again" from the dispatcher').to.equal(409);
          tally.refused++;
        }
      } catch {
        // No answer: the connection died with the process. Its commit may or may not have landed.
        tally.inFlight++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  expect(killed, `the burst reached ${KILL_AFTER_ACKNOWLEDGED} acknowledgements before its end`).to.equal(true);
  return { tallies, sent };
}

describe('reliability: SIGKILL of the sandbox during a burst of commits (PostgreSQL)', function () {
  this.timeout(90_000);
  let schema: IsolatedSchema | undefined;
  const running: ServerProcess[] = [];

  before(async function () {
    const found = await postgresUrl(this);
    if (!found) return;
    schema = await isolatedSchema(found);
  });
  after(async () => {
    for (const server of running.splice(0)) await server.stop();
    await schema?.drop();
  });

  it('keeps every row whole and every acknowledged increment, and restarts on the same data', async () => {
    const env = { DATABASE_URL: schema!.url };
    const first = await startServer('sandbox/server.ts', env);
    running.push(first);
    const created: Entity[] = [];
    for (let index = 0; index < PRODUCTS; index++) {
      const response = await post(`${first.url}/product/create`, { name: `Crate ${index}`, price: 1.5 + index, stock: 0, category: 'tools' });
      expect(response.status).to.equal(200);
      created.push(((await response.json()) as { entity: Entity }).entity);
    }
    const ids = created.map((entity) => entity.id);

    const { tallies, sent } = await burstAndKill(first, ids);
    await exited(first);
    expect(first.child.signalCode, 'the process died of SIGKILL, not a clean shutdown').to.equal('SIGKILL');
    running.splice(running.indexOf(first), 1);

    // The rows as PostgreSQL holds them, before any process touches them again.
    const db = knexFactory({ client: 'pg', connection: schema!.url, pool: { min: 0, max: 1 } });
    let rows: { id: string; version: number; stock: number }[];
    try {
      const table = (await db('information_schema.tables').where({ table_schema: schema!.name }).andWhereILike('table_name', '%product%').first('table_name')) as { table_name: string } | undefined;
      expect(table, 'the product table').to.not.equal(undefined);
      // pg hands numeric and bigint columns back as strings.
      const raw = (await db(table!.table_name).select('id', 'version', 'stock')) as { id: string; version: unknown; stock: unknown }[];
      rows = raw.map((row) => ({ id: row.id, version: Number(row.version), stock: Number(row.stock) }));
    } finally {
      await db.destroy();
    }

    const second = await startServer('sandbox/server.ts', env);
    running.push(second);
    let acknowledged = 0;
    let stored = 0;
    let inFlight = 0;
    let refused = 0;
    for (const [index, original] of created.entries()) {
      const tally = tallies.get(original.id)!;
      const product = await read(second, original.id);
      const row = rows.find((candidate) => candidate.id === original.id);
      const stock = product.signals.stock as number;
      expect(row, `row of ${original.id}`).to.include({ version: product.version, stock });
      expect(stock, `product ${index}: stock and version moved together (old or new state, never half)`).to.equal(product.version - 1);
      expect(product.signals).to.include({ name: original.signals.name, price: original.signals.price, category: 'tools' });
      expect(stock, `product ${index}: every acknowledged increment is stored`).to.be.at.least(tally.acknowledged);
      expect(stock, `product ${index}: nothing beyond what was sent is stored`).to.be.at.most(tally.acknowledged + tally.inFlight);
      acknowledged += tally.acknowledged;
      inFlight += tally.inFlight;
      refused += tally.refused;
      stored += stock;
    }
    console.log(`      sent ${sent} of at most ${MAX_REQUESTS}, SIGKILL after ${KILL_AFTER_ACKNOWLEDGED} acks: acknowledged ${acknowledged}, stored ${stored}, in flight ${inFlight} (refused 409: ${refused})`);
    expect(stored).to.be.within(acknowledged, acknowledged + inFlight);

    // The restarted process carries on from the stored state: one more increment is one more version.
    const before = await read(second, ids[0]!);
    const again = await post(`${second.url}/product/${ids[0]!}/adjustStock?delta=1`);
    expect(again.status).to.equal(200);
    const after = ((await again.json()) as { entity: Entity }).entity;
    expect(after.version).to.equal(before.version + 1);
    expect(after.signals.stock).to.equal((before.signals.stock as number) + 1);
  });
});
