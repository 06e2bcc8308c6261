import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Review } from '../mongo-entities.js';
import { layout } from './layout.js';

/** `/reviews`: reviews in MongoDB when MONGO_URL is set (else in memory), best first, live. */
export async function reviewsPage(page: PageContext) {
  const { ds } = page;
  // Best first, 20 at most, kept so while reviews arrive and change live.
  const reviews = await page.list(Review, { id: 'review-list', className: 'reviews', orderBy: [{ field: 'stars', direction: 'desc' }], limit: 20 });
  const write = page.form(Review, 'create', { product: '', stars: '5', text: '' });
  return layout(page, 'Reviews', html`
<p class="note">Stored in ${Review.store === 'mongo' ? 'MongoDB (MONGO_URL is set)' : 'memory: start the sandbox with MONGO_URL=mongodb://… to keep them in MongoDB'}.</p>
<section class="panel">
  <h2>Write a review</h2>
  <form class="row" ${write.attrs}>
    <label>Product ${write.input('product', { autocomplete: 'off' })}${write.error('product')}</label>
    <label>Stars <select ${write.bind('stars')}>${[5, 4, 3, 2, 1].map((stars) => html`<option>${stars}</option>`)}</select>${write.error('stars')}</label>
    <label class="grow">Review ${write.input('text')}${write.error('text')}</label>
    ${write.submit('Post review')}
  </form>
</section>
<section class="panel">
  ${reviews}
  <p class="note"><span id="review-count" ${ds.text(reviews.count)}>${reviews.total}</span> reviews</p>
</section>`);
}
