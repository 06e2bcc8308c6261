import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Dashboard } from '../entities.js';
import { layout } from './layout.js';

/** `/dashboard`: an async-generator event streams progress and a chart. */
export async function dashboardPage(page: PageContext) {
  const board = await page.load(Dashboard);
  const { ds } = page;
  return layout(page, 'Dashboard', html`
${board}
<section class="panel">
  <div class="row">
    <button ${ds.on('click', Dashboard.act('run'))}>Run the report</button>
    <span>Status: <strong id="status" ${ds.text(Dashboard.$('status'))}>${board.status}</strong></span>
    <span>Progress: <strong id="progress" ${ds.text(Dashboard.$('progress'))}>${board.progress}</strong>%</span>
  </div>
  <progress max="100" value="${board.progress}" ${ds.attr('value', Dashboard.$('progress'))}></progress>
  <svg viewBox="0 0 240 100" role="img" aria-label="Live chart of the report's values" class="chart">
    <polyline fill="none" stroke="currentColor" stroke-width="3" points="${board.chartPoints}" ${ds.attr('points', Dashboard.$('chartPoints'))}></polyline>
  </svg>
</section>`);
}
