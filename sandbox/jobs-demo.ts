/**
 * The background jobs demo (`/tasks`, needs @starmodel/jobs): reports that build in the
 * background with a live progress bar, retry on their own when they fail, and can be retried by
 * hand once they fail for good; plus statistics refreshed by a repeating event.
 */
import { randomUUID } from 'node:crypto';
import { currentJob, laterOn, reportProgress } from '@starmodel/jobs';
import { Entity, domId, event, field, html, refuse, z } from 'starmodel';

const PAGES = 10;
const PAGE_MS = 250;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a report is. */
export type ReportStatus = 'queued' | 'running' | 'retrying' | 'done' | 'failed';

/** A report everyone sees: started by one click, built by a background job, page by page. */
export class Report extends Entity {
  static override scope = 'record' as const;
  static override listSelector = '#reports';
  @field(z.string().trim().min(1, 'Give the report a title').max(60, 'At most 60 characters')) title = '';
  @field(z.enum(['queued', 'running', 'retrying', 'done', 'failed'])) status: ReportStatus = 'queued';
  /** Percent done, 0 to 100. */
  progress = 0;
  note = '';
  createdAt = '';
  /** The demo's fault: a broken report jams at page 6 on every attempt until retried by hand. */
  @field(z.boolean(), { hidden: true }) broken = false;

  /** Creates the report and queues its build once the report is saved. */
  @event({ method: 'post', args: { title: z.string().trim().min(1, 'Give the report a title').max(60, 'At most 60 characters'), broken: z.boolean().optional() } })
  static start(title: string, broken = false) {
    const report = Object.assign(new Report(), { id: randomUUID(), title, broken, createdAt: new Date().toISOString(), note: 'waiting for a worker' });
    laterOn(Report, report.id, 'generate');
    return report;
  }

  /** The slow part, run by a worker: every `yield` publishes the progress so far. */
  @event({ background: true, method: 'post' })
  async *generate() {
    const job = currentJob();
    const attempt = job ? `attempt ${job.attempt} of ${job.maxAttempts}` : 'run by hand';
    this.status = 'running';
    this.progress = 0;
    this.note = attempt;
    yield;
    for (let page = 1; page <= PAGES; page++) {
      await pause(PAGE_MS);
      if (this.broken && page === 6) {
        const last = !job || job.attempt >= job.maxAttempts;
        this.status = last ? 'failed' : 'retrying';
        this.note = last ? `Jammed at page 6 on ${attempt}. Retry it by hand.` : `Jammed at page 6 on ${attempt}; the queue retries it shortly.`;
        yield;
        // Fails the job: the queue retries it with backoff, then marks it failed.
        throw new Error('the printer jammed at page 6');
      }
      this.progress = Math.round((page / PAGES) * 100);
      await reportProgress(page / PAGES, `page ${page} of ${PAGES}`);
      yield;
    }
    this.status = 'done';
    this.note = `${PAGES} pages, ${attempt}`;
  }

  /** Clears the fault and queues the build again. */
  @event({ method: 'post' })
  retry() {
    if (this.status !== 'failed') refuse('Only a failed report can be retried.');
    this.broken = false;
    this.status = 'queued';
    this.progress = 0;
    this.note = 'queued again';
    laterOn(Report, this.id, 'generate');
  }

  /** One report in the list; morphed in place at every change. */
  render() {
    return html`<li id="${domId(this)}" class="report report-${this.status}">
  <div class="report-head"><strong>${this.title}</strong> <span class="report-status" data-status="${this.status}">${this.status}</span> <span class="report-percent">${this.progress}%</span></div>
  <progress max="100" value="${this.progress}" aria-label="${this.title} progress">${this.progress}%</progress>
  <div class="report-note">${this.note}${this.status === 'failed' ? html` <button class="secondary" ${this.ds.on('click', Report.actOn(this.id, 'retry'))}>Retry</button>` : ''}</div>
</li>`;
  }
}

/** Counts of reports by status, refreshed by a repeating event (once per tick across instances on Redis). */
export class ReportStats extends Entity {
  static override scope = 'global' as const;
  done = 0;
  failed = 0;
  inProgress = 0;
  refreshes = 0;
  refreshedAt = '';

  @event({ every: '5s' })
  async refresh() {
    const count = async (status: ReportStatus) => (await Report.find({ where: { status }, limit: 1 })).total;
    this.done = await count('done');
    this.failed = await count('failed');
    this.inProgress = (await count('queued')) + (await count('running')) + (await count('retrying'));
    this.refreshes++;
    this.refreshedAt = new Date().toISOString().slice(11, 19);
  }
}
