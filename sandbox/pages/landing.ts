import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { whoIsSignedIn } from '../auth-pages.js';
import { layout } from './layout.js';

/** `/`: links to every demo. */
export function landingPage(page: PageContext) {
  return layout(page, 'Sandbox', html`
${whoIsSignedIn(page)}
<p>Each demo is one entity class: its fields are the state, its events the behaviour. Open a demo in two windows to see changes arrive live.</p>
<ul class="cards">
  <li><a href="/counter"><strong>Counter</strong><span>A counter shared by everyone, and one of your own.</span></a></li>
  <li><a href="/chat"><strong>Chat</strong><span>A chat room: messages appear in every open browser.</span></a></li>
  <li><a href="/dashboard"><strong>Dashboard</strong><span>A streaming event: progress and a chart update as it runs.</span></a></li>
  <li><a href="/tasks"><strong>Background jobs</strong><span>Reports built by a background job: a live progress bar, automatic retries, stats refreshed every 5 seconds.</span></a></li>
  <li><a href="/admin"><strong>Admin</strong><span>Every entity and plugin, live record tables and generated forms (sign in as the development admin).</span></a></li>
  <li><a href="/profile"><strong>Profile</strong><span>Sign up and sign in; a profile only you can see or change.</span></a></li>
  <li><a href="/preferences"><strong>Preferences</strong><span>Theme, font size and a name kept in your browser, signed so they cannot be forged; a wizard step kept in this tab.</span></a></li>
  <li><a href="/reviews"><strong>Reviews</strong><span>Record entities in MongoDB when MONGO_URL is set, in memory otherwise.</span></a></li>
  <li><a href="/todos"><strong>Todos</strong><span>Todos in SQL (SQLite, or PostgreSQL with DATABASE_URL): add, tick, rename, delete, live everywhere.</span></a></li>
  <li><a href="/products"><strong>Products</strong><span>A catalog with a validated form, sorting, paging and stock that never goes below zero.</span></a></li>
</ul>`);
}
