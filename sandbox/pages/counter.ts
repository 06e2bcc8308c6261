import { html, type EventForm } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Counter, SessionCounter } from '../entities.js';
import { layout } from './layout.js';

/** `/counter`: the global counter and this session's counter. */
export async function counterPage(page: PageContext) {
  const counter = await page.load(Counter);
  const mine = await page.load(SessionCounter);
  const { ds } = page;
  // The amount stays after it was added, so it can be added again.
  const everyone = page.form(Counter, 'increment', { amount: '5' }, { keep: true });
  const yours = page.form(SessionCounter, 'increment', { amount: '5' }, { keep: true });
  const panel = (title: string, note: string, cls: typeof Counter | typeof SessionCounter, count: number, id: string, add: EventForm) => html`
<section class="panel" id="${id}" ${page.live(cls)}>
  <h2>${title}</h2>
  <p class="note">${note}</p>
  <output class="count" ${ds.text(cls.$('count'))}>${count}</output>
  <div class="row">
    <button ${ds.on('click', cls.act('decrement', 1))}>−1</button>
    <button ${ds.on('click', cls.act('increment', 1))}>+1</button>
    <button class="secondary" ${ds.on('click', cls.act('reset'))}>Reset</button>
  </div>
  <form class="row" ${add.attrs}>
    <label>Amount ${add.input('amount', { type: 'text', inputmode: 'numeric' })}</label>
    ${add.submit('Add amount')}
  </form>
  ${add.error('amount')}
</section>`;
  return layout(page, 'Counter', html`
${counter}${mine}
<div class="grid">
${panel("Everyone's counter", 'Shared by every visitor: open a second window and watch it change.', Counter, counter.count, 'global-counter', everyone)}
${panel('Your counter', 'Kept for your browser session only.', SessionCounter, mine.count, 'session-counter', yours)}
</div>`);
}
