import { Entity, domId, event, field, html, z } from 'starmodel';

/** Kept in memory, shared by everyone. */
export class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) { this.count += amount; }
}

/** Rows in a SQL table (SQLite under ./data by default, PostgreSQL with DATABASE_URL). */
export class Todo extends Entity {
  static override scope = 'record' as const;
  static override store = 'sql';
  @field(z.string().trim().min(1, 'Write something').max(200)) title = '';
  done = false;
  @event({ method: 'post' }) toggle() { this.done = !this.done; }
  /** One row of the list; `this.ds` spells Datastar attributes in the app's dialect. */
  render() {
    return html`<li id="${domId(this)}"><label><input type="checkbox" ${this.done ? 'checked' : ''} ${this.ds.on('change', Todo.actOn(this.id, 'toggle'))}> ${this.title}</label></li>`;
  }
}

/** One per browser session. */
export class Visit extends Entity {
  pages = 0;
  @event() seen() { this.pages++; }
}
