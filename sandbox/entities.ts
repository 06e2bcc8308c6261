/**
 * The sandbox's entities: each demo's whole server-side behaviour.
 */
import { Entity, event, field, html, z } from 'starmodel';

/** One counter shared by everyone. */
export class Counter extends Entity {
  static override scope = 'global' as const;
  /** In Redis when REDIS_URL is set, so every sandbox instance shares it. */
  static override store = process.env.REDIS_URL ? 'redis' : 'memory';
  count = 0;
  updates = 0;

  @event() increment(amount = 1) {
    this.count += amount;
    this.updates++;
  }

  @event() decrement(amount = 1) {
    this.count -= amount;
    this.updates++;
  }

  /** Only an admin may reset everyone's counter (the seeded development admin can). */
  @event({ method: 'post', auth: 'admin' }) reset() {
    this.count = 0;
    this.updates++;
    this.toast.info("Everyone's counter is back at 0.");
  }
}

/** A counter of your own: every browser session has one. */
export class SessionCounter extends Entity {
  count = 0;

  @event() increment(amount = 1) {
    this.count += amount;
  }

  @event() decrement(amount = 1) {
    this.count -= amount;
  }

  @event({ method: 'post' }) reset() {
    this.count = 0;
  }
}

/** A message in the chat room. */
export interface ChatMessage {
  readonly n: number;
  readonly author: string;
  readonly text: string;
  readonly at: string;
}

/** Renders one chat message (also used by the page for the history). */
export function messageItem(message: ChatMessage) {
  return html`<li id="msg-${message.n}"><strong>${message.author}</strong> <span>${message.text}</span> <time datetime="${message.at}">${message.at.slice(11, 16)}</time></li>`;
}

/** One global chat room keeping its last 50 messages. */
export class ChatRoom extends Entity {
  static override scope = 'global' as const;
  /** In Redis when REDIS_URL is set, so every sandbox instance shares it. */
  static override store = process.env.REDIS_URL ? 'redis' : 'memory';
  /** Rendered as HTML, never sent as a signal: free text in signals rides along in every request's URL. */
  @field(z.array(z.object({ n: z.number(), author: z.string(), text: z.string(), at: z.string() })), { hidden: true })
  messages: ChatMessage[] = [];
  total = 0;

  @event({
    method: 'post', selector: '#messages', mode: 'append',
    args: { author: z.string().trim().min(1, 'Say who you are').max(40, 'At most 40 characters'), text: z.string().trim().min(1, 'Write something first').max(280, 'At most 280 characters') },
  })
  send(author: string, text: string) {
    const message: ChatMessage = { n: ++this.total, author, text, at: new Date().toISOString() };
    this.messages = [...this.messages, message].slice(-50);
    return messageItem(message);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A per-session job that streams its progress and a chart while it runs. */
export class Dashboard extends Entity {
  progress = 0;
  status = 'idle';
  series: number[] = [];
  runs = 0;

  /** The chart's polyline points, computed from the series (sent as a signal). */
  get chartPoints(): string {
    return this.series.map((value, index) => `${index * 30},${100 - value}`).join(' ');
  }

  @event({ args: { steps: z.number().int().min(1).max(20).optional() } })
  async *run(steps = 8) {
    this.runs++;
    this.series = [];
    this.status = 'running';
    for (let step = 1; step <= steps; step++) {
      await pause(120);
      this.progress = Math.round((step / steps) * 100);
      this.series = [...this.series, Math.round(50 + 40 * Math.sin(step + this.runs))];
      yield;
    }
    this.status = 'done';
  }
}

export { Review } from './mongo-entities.js';
export { Prefs, Wizard } from './preferences.js';
