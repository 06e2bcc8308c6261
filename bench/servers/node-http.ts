/**
 * @module bench/servers/node-http
 * The baseline: a bare node:http server answering the counter's increment and live routes with
 * the same bytes as StarModel (headers, SSE body), written in one call per answer.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSE_RESPONSE_HEADERS } from '../lib/protocol.js';
import { BareCounter, benchProcess } from './bare-counter.js';

const counter = new BareCounter();
const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const search = mark < 0 ? '' : url.slice(mark + 1);
  if (req.method === 'GET' && path === '/counter/increment') {
    let amount: number;
    try {
      amount = BareCounter.amountOf(search);
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, SSE_RESPONSE_HEADERS);
    res.end(counter.increment(amount));
  } else if (req.method === 'GET' && path === '/counter/live') {
    counter.openLive(res);
  } else {
    res.writeHead(404).end();
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
benchProcess(() => {
  server.closeAllConnections();
  server.close();
});
