/**
 * The sandbox's SQL entities: rows in SQLite (`./data/starmodel.sqlite`) or, with DATABASE_URL,
 * PostgreSQL. Each is a record entity: `POST /<entity>/create`, `DELETE /<entity>/<id>/delete`,
 * `GET /<entity>` and `GET /<entity>/<id>` come built in; `render()` is the row every open list
 * shows, appended, morphed or removed live.
 */
import { domId, Entity, event, eventForm, field, html, raw, refuse, z } from 'starmodel';

const todoTitle = z.string().trim().min(1, 'Write what needs doing').max(200, 'At most 200 characters');

/** A todo. The whole app is this class and the `/todos` page. */
export class Todo extends Entity {
  static override scope = 'record' as const;
  static override store = 'sql';
  @field(todoTitle) title = '';
  done = false;
  @event({ method: 'post' }) toggle() { this.done = !this.done; }
  @event({ method: 'post', args: { title: todoTitle } }) rename(title: string) { this.title = title; }
  /** A row: tick it, rename it (Enter saves; a bad title is refused on the row), delete it. */
  render() {
    const rename = eventForm(Todo, 'rename', { title: this.title }, { id: this.id, keep: true });
    const remove = eventForm(Todo, 'delete', {}, { id: this.id });
    return html`<li id="${domId(this)}" class="row${this.done ? ' done' : ''}"><input type="checkbox" aria-label="Done" ${this.done && raw('checked')} ${this.ds.on('change', Todo.actOn(this.id, 'toggle'))}>
<form class="grow row" ${rename.attrs}>${rename.input('title', { class: 'grow', 'aria-label': 'Title', style: this.done ? 'text-decoration: line-through' : undefined })}</form><span ${remove.scope}>${remove.button('Delete', {}, { class: 'secondary' })}</span>${rename.error('title')}</li>`;
  }
}

/** Product categories. */
export const CATEGORIES = ['books', 'games', 'tools'] as const;

/** A product of the small catalog on `/products`. */
export class Product extends Entity {
  static override scope = 'record' as const;
  static override store = 'sql';
  @field(z.string().trim().min(1, 'Give the product a name').max(80, 'At most 80 characters')) name = '';
  @field(z.number({ error: 'Expected a price' }).min(0, 'A price cannot be negative')) price = 0;
  @field(z.number({ error: 'Expected a number' }).int('Stock is a whole number').min(0, 'Stock cannot be negative')) stock = 0;
  @field(z.enum(CATEGORIES, { error: `Pick one of: ${CATEGORIES.join(', ')}` })) category: (typeof CATEGORIES)[number] = 'books';

  /** Adds to (or with a negative delta, takes from) the stock; never below zero. */
  @event({ method: 'post', args: { delta: z.number().int('A whole number').optional() } })
  adjustStock(delta = 1) {
    if (this.stock + delta < 0) refuse(`Only ${this.stock} of "${this.name}" in stock.`, { delta: `Cannot take away more than ${this.stock}` });
    this.stock += delta;
  }

  /** A row of the catalog; a refused stock change shows its message on the row. */
  render() {
    const stock = eventForm(Product, 'adjustStock', {}, { id: this.id, validate: false });
    const button = (delta: number) => stock.button(`${delta > 0 ? '+' : '−'}${Math.abs(delta)}`, { delta }, { class: 'secondary', 'aria-label': `${delta > 0 ? 'Add' : 'Remove'} ${Math.abs(delta)}` });
    return html`<li id="${domId(this)}" class="product" ${stock.scope}><span class="name">${this.name}</span><span>${this.category}</span><span class="num">${this.price.toFixed(2)}</span><span class="num stock">${this.stock}</span>
<span class="actions">${button(-1)}${button(1)}${button(10)}</span>${stock.error('delta')}</li>`;
  }
}
