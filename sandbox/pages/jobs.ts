import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Report, ReportStats } from '../jobs-demo.js';
import { layout } from './layout.js';

/** `/tasks`: start reports that build in the background, watch them progress, retry failures. */
export async function jobsPage(page: PageContext) {
  const { ds } = page;
  const stats = await page.load(ReportStats);
  const { items: reports } = await page.find(Report, { orderBy: [{ field: 'createdAt', direction: 'asc' }], limit: 50 });
  // `start` is a static event: the form sends it like any other.
  const start = page.form(Report, 'start', { title: 'Quarterly sales', broken: false });
  return layout(page, 'Background jobs', html`
<style>
  .reports { list-style: none; padding: 0; display: grid; gap: .6rem; margin: 1rem 0 0; }
  .report { background: var(--bg); border-radius: 8px; padding: .6rem .8rem; }
  .report-head { display: flex; gap: .6rem; align-items: baseline; }
  .report-status { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .report-failed .report-status, .report-retrying .report-status { color: var(--danger); }
  .report-percent { margin-left: auto; font-variant-numeric: tabular-nums; }
  .report-note { color: var(--muted); font-size: .9rem; display: flex; gap: .6rem; align-items: center; min-height: 2rem; }
  .stats { display: flex; gap: 1.2rem; flex-wrap: wrap; }
</style>
<p>Each report is built by a background job: the click answers at once, a worker builds it page by page, and every page reaches every open window. Tick "jam it" to watch the queue retry a failing job, then retry it by hand.</p>
${stats}
<section class="panel">
  <h2>Start a report</h2>
  <form class="row" ${start.attrs}>
    <label class="grow">Title ${start.input('title', { maxlength: 60, autocomplete: 'off' })}${start.error('title')}</label>
    <label><span><input type="checkbox" ${start.bind('broken')}> jam it at page 6</span></label>
    ${start.submit('Generate', { id: 'start-report' })}
  </form>
  <ol id="reports" class="reports" aria-live="polite" ${page.live(Report)}>${reports.map((report) => report.render())}</ol>
</section>
<section class="panel" ${page.live(ReportStats)}>
  <h2>Statistics</h2>
  <p class="note">Refreshed every 5 seconds by <code>@event({ every: '5s' })</code>; with Redis, once per tick however many instances run.</p>
  <div class="stats">
    <span>Done: <strong id="stats-done" ${ds.text(ReportStats.$('done'))}>${stats.done}</strong></span>
    <span>Failed: <strong id="stats-failed" ${ds.text(ReportStats.$('failed'))}>${stats.failed}</strong></span>
    <span>In progress: <strong id="stats-in-progress" ${ds.text(ReportStats.$('inProgress'))}>${stats.inProgress}</strong></span>
    <span>Last refresh: <strong ${ds.text(ReportStats.$('refreshedAt'))}>${stats.refreshedAt || 'not yet'}</strong></span>
  </div>
</section>`);
}
