import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Todo } from '../sql-entities.js';
import { layout } from './layout.js';

/** `/todos`: add, tick, rename and delete todos; every open browser sees each change live. */
export async function todosPage(page: PageContext) {
  const { items } = await Todo.find(); // the SQL store lists records in the order they were created
  const { ds } = page;
  return layout(page, 'Todos', html`<section class="panel" ${page.live(Todo)}>
  <form class="row" ${ds.signals({ title: '', Todo: { errors: { title: '' } } })} ${ds.on('submit', "@post('/todo/create?title=' + encodeURIComponent($title)); $title = ''", 'prevent')}>
    <input class="grow" name="title" aria-label="New todo" placeholder="What needs doing?" autocomplete="off" ${ds.bind('title')}><button type="submit">Add</button>
  </form>
  <p class="field-error" role="alert" ${ds.text(Todo.errorOf('title'))}></p>
  <ul id="todo-list" style="list-style: none; padding: 0">${items.map((todo) => todo.render())}</ul>
</section>`);
}
