import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { layout } from './layout.js';

/** `/`: links to every demo. */
export function landingPage(page: PageContext) {
  return layout(page, 'Sandbox', html`
<p>Each demo is one entity class: its fields are the state, its events the behaviour. Open a demo in two windows to see changes arrive live.</p>
<ul class="cards">
  <li><a href="/counter"><strong>Counter</strong><span>A counter shared by everyone, and one of your own.</span></a></li>
  <li><a href="/chat"><strong>Chat</strong><span>A chat room: messages appear in every open browser.</span></a></li>
  <li><a href="/dashboard"><strong>Dashboard</strong><span>A streaming event: progress and a chart update as it runs.</span></a></li>
</ul>`);
}
