import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Counter, Todo, Visit } from './entities.js';

export async function home(page: PageContext) {
  const counter = await page.load(Counter);
  const visit = await page.load(Visit);
  // Sorted by title, and kept sorted while todos arrive from any browser.
  const todos = await page.list(Todo, { orderBy: [{ field: 'title' }] });
  // A form bound to the built-in `create` event: each message beside its input, cleared after each add.
  const add = page.form(Todo, 'create', { title: '' });
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{name}}</title>${page.head()}</head>
<body>${page.boot()}${counter}${visit}
<main ${page.live(Counter)}>
  <h1>{{name}}</h1>
  <p>Count: <strong ${page.ds.text(Counter.$('count'))}>${counter.count}</strong>
  <button ${page.ds.on('click', Counter.act('increment', 1))}>+1</button></p>
  <h2>Todos</h2>
  ${todos}
  <form ${add.attrs}>
    ${add.input('title', { placeholder: 'What needs doing?', 'aria-label': 'New todo', autocomplete: 'off' })}
    ${add.submit('Add')}
    ${add.error('title')}
  </form>
</main></body></html>`;
}
