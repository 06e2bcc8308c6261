/**
 * Two independent readers of a `text/event-stream` body, used as oracles by the line-safety specs:
 *
 * - {@link parseEventStream} follows the WHATWG HTML "event stream interpretation" algorithm
 *   step by step (https://html.spec.whatwg.org/multipage/server-sent-events.html), written here
 *   from the specification text;
 * - {@link parseLikeDatastarBeta11} runs the Datastar 1.0.0-beta.11 browser client's own parser,
 *   imported from node_modules (its vendored `getLines`/`getMessages`), followed by the
 *   grouping of `key value` data lines that the client's `sse()` action does.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

/** One dispatched event. */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id: string;
  readonly retry?: number;
}

/** The WHATWG algorithm over the UTF-8 bytes of a stream (a BOM at the start is dropped). */
export function parseEventStream(bytes: Uint8Array): SseMessage[] {
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const messages: SseMessage[] = [];
  let data = '';
  let eventType = '';
  let lastEventId = '';
  let retry: number | undefined;
  // A stream that ends without a blank line drops the last, unfinished event: split keeps it as
  // the final piece, which is never followed by an empty line.
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data === '') {
        eventType = '';
        continue;
      }
      messages.push({ event: eventType || 'message', data: data.endsWith('\n') ? data.slice(0, -1) : data, id: lastEventId, ...(retry !== undefined ? { retry } : {}) });
      data = '';
      eventType = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventType = value;
    else if (field === 'data') data += `${value}\n`;
    else if (field === 'id') {
      if (!value.includes('\0')) lastEventId = value;
    } else if (field === 'retry') {
      if (/^[0-9]+$/.test(value)) retry = Number(value);
    }
  }
  return messages;
}

interface ClientMessage { id: string; event: string; data: string; retry?: number }
interface ClientParser {
  getLines(onLine: (line: Uint8Array, fieldLength: number) => void): (chunk: Uint8Array) => void;
  getMessages(onId: (id: string) => void, onRetry: (retry: number) => void, onMessage?: (message: ClientMessage) => void): (line: Uint8Array, fieldLength: number) => void;
}

let clientParser: ClientParser | undefined;

/** Loads the beta.11 client's vendored stream parser (a file the package does not export by name). */
export async function loadDatastarClientParser(): Promise<void> {
  // The package exports only its entry point (dist/index.js); the parser sits beside it.
  const entry = fileURLToPath(import.meta.resolve('@starfederation/datastar'));
  const file = path.join(path.dirname(entry), 'vendored/fetch-event-source.js');
  clientParser = (await import(pathToFileURL(file).href)) as ClientParser;
}

/** One event as the beta.11 client hands it to its watchers: the event type and its keyed values. */
export interface DatastarEvent {
  readonly event: string;
  readonly id: string;
  readonly args: Readonly<Record<string, string>>;
}

/**
 * What the beta.11 client makes of a stream, fed in chunks of `chunkSize` bytes: its own
 * line and message parser, then its grouping of data lines by the key before the first space
 * (repeated keys joined with LF), as in `plugins/official/backend/actions/sse.js`.
 */
export function parseLikeDatastarBeta11(bytes: Uint8Array, chunkSize = bytes.length || 1): DatastarEvent[] {
  if (!clientParser) throw new Error('call loadDatastarClientParser() first (in a before hook)');
  const events: DatastarEvent[] = [];
  const onMessage = (message: ClientMessage) => {
    if (!message.event.startsWith('datastar')) return;
    const grouped: Record<string, string[]> = {};
    for (const line of message.data.split('\n')) {
      const space = line.indexOf(' ');
      const key = line.slice(0, space);
      (grouped[key] ??= []).push(line.slice(space + 1));
    }
    events.push({ event: message.event, id: message.id, args: Object.fromEntries(Object.entries(grouped).map(([key, lines]) => [key, lines.join('\n')])) });
  };
  const feed = clientParser.getLines(clientParser.getMessages(() => undefined, () => undefined, onMessage));
  for (let start = 0; start < bytes.length; start += chunkSize) feed(bytes.subarray(start, start + chunkSize));
  return events;
}

/** The keyed values of one WHATWG-parsed event, grouped the way Datastar reads them. */
export function keyedData(data: string): Record<string, string> {
  const grouped: Record<string, string[]> = {};
  for (const line of data.split('\n')) {
    const space = line.indexOf(' ');
    const key = space === -1 ? line : line.slice(0, space);
    (grouped[key] ??= []).push(space === -1 ? '' : line.slice(space + 1));
  }
  return Object.fromEntries(Object.entries(grouped).map(([key, lines]) => [key, lines.join('\n')]));
}

