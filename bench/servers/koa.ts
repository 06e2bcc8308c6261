/**
 * @module bench/servers/koa
 * A bare Koa + @koa/router app doing what the node:http baseline does, the way a developer
 * would write it by hand: one route per action, the body as a string.
 */
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { SSE_RESPONSE_HEADERS } from '../lib/protocol.js';
import { BareCounter, benchProcess } from './bare-counter.js';

const counter = new BareCounter();
const app = new Koa();
const router = new Router();
router.get('/counter/increment', (ctx) => {
  let amount: number;
  try {
    amount = BareCounter.amountOf(ctx.querystring);
  } catch {
    ctx.status = 400;
    return;
  }
  ctx.set(SSE_RESPONSE_HEADERS);
  ctx.body = counter.increment(amount);
});
router.get('/counter/live', (ctx) => {
  ctx.respond = false;
  counter.openLive(ctx.res);
});
app.use(router.routes());
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
benchProcess(() => {
  server.closeAllConnections();
  server.close();
});
