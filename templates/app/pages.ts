import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Counter, Todo, Visit } from './entities.js';

export async function home(page: PageContext) {
  const counter = await page.load(Counter);
  const todos = await page.find(Todo, { orderBy: [{ field: 'title' }] });
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{name}}</title>${page.head()}</head>
<body>${page.boot()}${counter}${await page.load(Visit)}
<main ${page.live(Counter)}>
  <h1>{{name}}</h1>
  <p>Count: <strong ${page.ds.text(Counter.$('count'))}>${counter.count}</strong>
  <button ${page.ds.on('click', Counter.act('increment', 1))}>+1</button></p>
  <h2>Todos</h2>
  <ul id="todo-list" ${page.live(Todo)}>${todos.items.map((todo) => todo.render())}</ul>
  <form ${page.ds.on('submit', "@post('/todo/create'); $title = ''", 'prevent')} data-signals="{title: ''}">
    <input ${page.ds.bind('title')} placeholder="What needs doing?" aria-label="New todo">
    <button>Add</button>
    <span role="alert" ${page.ds.text(Todo.errorOf('title'))}></span>
  </form>
</main></body></html>`;
}
