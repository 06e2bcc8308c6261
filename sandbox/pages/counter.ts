import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Counter, SessionCounter } from '../entities.js';
import { layout } from './layout.js';

/** `/counter`: the global counter and this session's counter. */
export async function counterPage(page: PageContext) {
  const counter = await page.load(Counter);
  const mine = await page.load(SessionCounter);
  const { ds } = page;
  const panel = (title: string, note: string, cls: typeof Counter | typeof SessionCounter, count: number, id: string) => html`
<section class="panel" id="${id}" ${page.live(cls)}>
  <h2>${title}</h2>
  <p class="note">${note}</p>
  <output class="count" ${ds.text(cls.$('count'))}>${count}</output>
  <div class="row">
    <button ${ds.on('click', cls.act('decrement', 1))}>−1</button>
    <button ${ds.on('click', cls.act('increment', 1))}>+1</button>
    <button class="secondary" ${ds.on('click', cls.act('reset'))}>Reset</button>
  </div>
  <div class="row">
    <label>Amount <input type="text" inputmode="numeric" name="amount" ${ds.bind(`${cls.name}.amount`)} value="5"></label>
    <button ${ds.on('click', cls.act('increment'))}>Add amount</button>
  </div>
  <p class="field-error" role="alert" ${ds.text(cls.errorOf('amount'))}></p>
</section>`;
  return layout(page, 'Counter', html`
${counter}${mine}
<div class="grid">
${panel("Everyone's counter", 'Shared by every visitor: open a second window and watch it change.', Counter, counter.count, 'global-counter')}
${panel('Your counter', 'Kept for your browser session only.', SessionCounter, mine.count, 'session-counter')}
</div>`);
}
