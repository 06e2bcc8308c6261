/**
 * @module @starmodel/admin/live-table
 * `GET /admin/<entity>/live`: an SSE stream that keeps one records table current. When it opens
 * it sends the table body for the view (so changes between page load and connect are not lost),
 * then, for each change to the type anywhere: a new matching record is appended, a shown record
 * is morphed in place, a deleted one removed, and the count and a status line follow along.
 */
import type { Context } from 'koa';
import { sseComment, typeTopic, type Change, type Encoder, type EntityMeta, type Kernel } from 'starmodel';
import type { AdminOptions } from './options.js';
import { loadTablePage, matchesView, type TableView } from './table-view.js';
import { liveStatus, renderRow, rowId, ROWS_ID, tableBody, totalElement } from './views/rows.js';

/** What a live table stream needs. */
export interface LiveTableInput {
  readonly ctx: Context;
  readonly kernel: Kernel;
  readonly meta: EntityMeta;
  readonly view: TableView;
  readonly options: AdminOptions;
  readonly encoder: Encoder;
  /** Called with a function that ends the stream (the plugin ends every stream on shutdown). */
  readonly track: (end: () => void) => () => void;
}

/** Opens the stream and keeps it until the client leaves, the server closes, or the client stops reading. */
export async function openLiveTable(input: LiveTableInput): Promise<void> {
  const { ctx, kernel, meta, view, options, encoder } = input;
  const res = ctx.res;
  let open = true;
  let ready = false;
  const pending: Change[] = [];
  // Subscribe before loading, so a change between the two is applied, not lost.
  const unsubscribe = kernel.bus.subscribe(typeTopic(meta.name), (change) => {
    if (ready) apply(change);
    else pending.push(change);
  });
  let page;
  try {
    page = await loadTablePage(kernel, meta, view, options);
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const shown = new Set(page.rows.map((row) => String(row.id)));
  let total = page.total;

  ctx.respond = false;
  res.socket?.setTimeout(0);
  res.socket?.setNoDelay(true);
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', 'X-Content-Type-Options': 'nosniff' });
  res.flushHeaders();

  let keepAlive: NodeJS.Timeout | undefined;
  let untrack = () => {};
  const end = (destroy: boolean) => {
    if (!open) return;
    open = false;
    clearInterval(keepAlive);
    unsubscribe();
    untrack();
    if (destroy) res.destroy();
    else res.end();
  };
  const send = (text: string) => {
    if (!open || text === '') return;
    res.write(text);
    // A client that stops reading is cut off (its browser reconnects) rather than buffered without bound.
    if (res.writableLength > options.maxBufferedBytes) end(true);
  };
  const elements = (markup: string, extra: { selector?: string; mode?: 'append' } = {}) => encoder.encode({ kind: 'elements', html: markup, ...extra });
  const status = (text: string) => send(elements(String(liveStatus(text, true))));
  const count = (delta: number) => {
    total = Math.max(0, total + delta);
    send(elements(String(totalElement(total))));
  };

  function apply(change: Change): void {
    const id = change.id;
    if (change.deleted) {
      if (!shown.has(id) && view.q) return;
      if (shown.delete(id)) send(encoder.encode({ kind: 'remove-elements', selector: `#${rowId(id)}` }));
      count(-1);
      status(`${meta.name} ${id} was deleted.`);
      return;
    }
    if (shown.has(id)) {
      send(elements(String(renderRow(meta, options, change.signals, 'changed'))));
      status(`${meta.name} ${id} changed.`);
      return;
    }
    const created = change.command.event === 'create' || change.version === 1;
    if (!created || !matchesView(meta, view, change.signals)) return;
    const row = String(renderRow(meta, options, change.signals, 'new'));
    // An empty table shows a "no records" row: replace the whole body instead of appending after it.
    send(shown.size === 0 ? elements(`<tbody id="${ROWS_ID}">${row}</tbody>`) : elements(row, { selector: `#${ROWS_ID}`, mode: 'append' }));
    shown.add(id);
    count(1);
    status(`${meta.name} ${id} was created.`);
  }

  keepAlive = setInterval(() => send(sseComment('keep-alive')), options.keepAliveMs);
  keepAlive.unref();
  untrack = input.track(() => end(false));
  res.on('close', () => end(false));

  send(elements(String(tableBody(meta, options, page.rows))));
  send(elements(String(totalElement(total))));
  status('Live: changes made elsewhere appear here as they happen.');
  ready = true;
  for (const change of pending.splice(0)) apply(change);
}
