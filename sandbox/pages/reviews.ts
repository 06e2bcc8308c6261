import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { Review } from '../mongo-entities.js';
import { layout } from './layout.js';

/** `/reviews`: reviews in MongoDB when MONGO_URL is set (else in memory), best first, live. */
export async function reviewsPage(page: PageContext) {
  const { ds } = page;
  const { items, total } = await page.find(Review, { orderBy: [{ field: 'stars', direction: 'desc' }], limit: 20 });
  const create = `@post('/review/create?' + new URLSearchParams({ product: $draft.product, stars: $draft.stars, text: $draft.text }))`;
  const error = (name: string) => html`<span class="field-error" role="alert" ${ds.text(Review.errorOf(name))}></span>`;
  return layout(page, 'Reviews', html`
<p class="note">Stored in ${Review.store === 'mongo' ? 'MongoDB (MONGO_URL is set)' : 'memory: start the sandbox with MONGO_URL=mongodb://… to keep them in MongoDB'}.</p>
<section class="panel">
  <h2>Write a review</h2>
  <form class="row" ${ds.signals({ draft: { product: '', stars: '5', text: '' } })} ${ds.on('submit', create, 'prevent')}>
    <label>Product <input name="product" autocomplete="off" ${ds.bind('draft.product')}>${error('product')}</label>
    <label>Stars <select name="stars" ${ds.bind('draft.stars')}>${[5, 4, 3, 2, 1].map((stars) => html`<option>${stars}</option>`)}</select>${error('stars')}</label>
    <label class="grow">Review <input name="text" ${ds.bind('draft.text')}>${error('text')}</label>
    <button type="submit">Post review</button>
  </form>
</section>
<section class="panel" ${page.live(Review)}>
  <ul id="review-list" class="reviews">${items.map((review) => review.render())}</ul>
  <p class="note">${total} reviews</p>
</section>`);
}
