import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Todo } from '../sql-entities.js';
import { layout } from './layout.js';

/** `/todos`: add, tick, rename and delete todos; every open browser sees each change live. */
export async function todosPage(page: PageContext) {
  // The SQL store lists records in the order they were created; the live list keeps that order.
  const todos = await page.list(Todo, { id: 'todo-list', className: 'todos', limit: 200 });
  const add = page.form(Todo, 'create', { title: '' });
  return layout(page, 'Todos', html`<section class="panel">
  <form class="row" ${add.attrs}>
    <input class="grow" ${add.bind('title')} aria-label="New todo" placeholder="What needs doing?" autocomplete="off">${add.submit('Add')}
  </form>
  ${add.error('title')}
  ${todos}
</section>`);
}
