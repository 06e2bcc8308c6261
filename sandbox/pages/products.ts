import { emptyErrors, html, metaOf, raw } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { CATEGORIES, Product } from '../sql-entities.js';
import { layout } from './layout.js';

const PAGE_SIZE = 5;
const COLUMNS = [['name', 'Name'], ['category', 'Category'], ['price', 'Price'], ['stock', 'Stock']] as const;
type Column = (typeof COLUMNS)[number][0];

const STYLE = raw(`<style>.products { list-style: none; padding: 0; margin: 0; } .products li { display: grid; grid-template-columns: 2fr 1fr 1fr 1fr 11rem; gap: .5rem; align-items: center; padding: .35rem 0; border-bottom: 1px solid var(--line); }
.products .num { text-align: right; font-variant-numeric: tabular-nums; } .products .actions { display: flex; gap: .3rem; justify-content: end; } .products button { padding: .3rem .6rem; } form label .field-error { font-size: .8rem; }</style>`);

/** `/products`: a small catalog with a validated create form, sortable pages and stock buttons. */
export async function productsPage(page: PageContext) {
  const { ds, query } = page;
  const sort: Column = COLUMNS.find(([name]) => name === query.sort)?.[0] ?? 'name';
  const dir = query.dir === 'desc' ? 'desc' : 'asc';
  const requested = Math.max(1, Number.parseInt(String(query.page ?? '1'), 10) || 1);
  const pageOf = (number: number) => Product.find({ orderBy: [{ field: sort, direction: dir }], limit: PAGE_SIZE, offset: (number - 1) * PAGE_SIZE });
  let { items, total } = await pageOf(requested);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const at = Math.min(requested, pages);
  if (at !== requested) ({ items, total } = await pageOf(at));

  const link = (change: Record<string, string>) => `/products?${new URLSearchParams({ sort, dir, page: String(at), ...change })}`;
  const heading = ([name, label]: (typeof COLUMNS)[number]) => {
    const next = name === sort && dir === 'asc' ? 'desc' : 'asc';
    return html`<a href="${link({ sort: name, dir: next, page: '1' })}" aria-sort="${name === sort ? `${dir}ending` : 'none'}">${label}${name === sort ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</a>`;
  };
  const error = (name: string) => html`<span class="field-error" role="alert" data-error="${name}" ${ds.text(Product.errorOf(name))}></span>`;
  const input = (name: string, label: string, mode: string) => html`<label>${label} <input name="${name}" inputmode="${mode}" autocomplete="off" ${ds.bind(`draft.${name}`)}>${error(name)}</label>`;
  // The query carries the form's values, so they win over the Product signals an earlier create left on the page.
  const create = "@post('/product/create?' + new URLSearchParams({ name: $draft.name, price: $draft.price, stock: $draft.stock, category: $draft.category }))";

  return layout(page, 'Products', html`${STYLE}
<section class="panel">
  <h2>New product</h2>
  <form class="row" ${ds.signals({ draft: { name: '', price: '', stock: '0', category: 'books' }, Product: { errors: emptyErrors(metaOf(Product)) } })} ${ds.on('submit', create, 'prevent')}>
    ${input('name', 'Name', 'text')}${input('price', 'Price', 'decimal')}${input('stock', 'Stock', 'numeric')}
    <label>Category <select name="category" ${ds.bind('draft.category')}>${CATEGORIES.map((category) => html`<option>${category}</option>`)}</select>${error('category')}</label>
    <button type="submit">Add product</button>
  </form>
</section>
<section class="panel" ${page.live(Product)}>
  <p class="field-error" role="alert" data-error="delta" ${ds.text(Product.errorOf('delta'))}></p>
  <ul class="products"><li class="head">${COLUMNS.map(heading)}<span></span></li></ul>
  <ul id="product-list" class="products">${items.map((product) => product.render())}</ul>
  <p class="row">${at > 1 ? html`<a href="${link({ page: String(at - 1) })}" rel="prev">← Previous</a>` : ''}
    <span id="paging">Page ${at} of ${pages} · ${total} products</span>
    ${at < pages ? html`<a href="${link({ page: String(at + 1) })}" rel="next">Next →</a>` : ''}</p>
</section>`);
}
