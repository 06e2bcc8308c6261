import { html, raw } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { CATEGORIES, Product } from '../sql-entities.js';
import { layout } from './layout.js';

const PAGE_SIZE = 5;
const COLUMNS = [['name', 'Name'], ['category', 'Category'], ['price', 'Price'], ['stock', 'Stock']] as const;
type Column = (typeof COLUMNS)[number][0];

const STYLE = raw(`<style>.products { list-style: none; padding: 0; margin: 0; } .products li { display: grid; grid-template-columns: 2fr 1fr 1fr 1fr 11rem; gap: .5rem; align-items: center; padding: .35rem 0; border-bottom: 1px solid var(--line); }
.products .num { text-align: right; font-variant-numeric: tabular-nums; } .products .actions { display: flex; gap: .3rem; justify-content: end; } .products button { padding: .3rem .6rem; } form label .field-error { font-size: .8rem; }
.products li .field-error { grid-column: 1 / -1; text-align: right; margin: 0; } .products li .field-error:empty { display: none; }</style>`);

/** `/products`: a small catalog with a validated create form, sortable pages and stock buttons. */
export async function productsPage(page: PageContext) {
  const { ds, query } = page;
  const sort: Column = COLUMNS.find(([name]) => name === query.sort)?.[0] ?? 'name';
  const dir = query.dir === 'desc' ? 'desc' : 'asc';
  const requested = Math.max(1, Number.parseInt(String(query.page ?? '1'), 10) || 1);
  // The list keeps this order and page size while products arrive, change and leave live.
  const listOf = (number: number) => page.list(Product, { id: 'product-list', className: 'products', orderBy: [{ field: sort, direction: dir }], limit: PAGE_SIZE, offset: (number - 1) * PAGE_SIZE });
  let list = await listOf(requested);
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  const at = Math.min(requested, pages);
  if (at !== requested) list = await listOf(at);
  const create = page.form(Product, 'create', { name: '', price: '', stock: '0', category: 'books' }, { keep: ['category'] });

  const link = (change: Record<string, string>) => `/products?${new URLSearchParams({ sort, dir, page: String(at), ...change })}`;
  const heading = ([name, label]: (typeof COLUMNS)[number]) => {
    const next = name === sort && dir === 'asc' ? 'desc' : 'asc';
    return html`<a href="${link({ sort: name, dir: next, page: '1' })}" aria-sort="${name === sort ? `${dir}ending` : 'none'}">${label}${name === sort ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</a>`;
  };
  const input = (name: 'name' | 'price' | 'stock', label: string, mode: string) => html`<label>${label} ${create.input(name, { inputmode: mode, autocomplete: 'off' })}${create.error(name)}</label>`;

  return layout(page, 'Products', html`${STYLE}
<section class="panel">
  <h2>New product</h2>
  <form class="row" ${create.attrs}>
    ${input('name', 'Name', 'text')}${input('price', 'Price', 'decimal')}${input('stock', 'Stock', 'numeric')}
    <label>Category <select ${create.bind('category')}>${CATEGORIES.map((category) => html`<option>${category}</option>`)}</select>${create.error('category')}</label>
    ${create.submit('Add product')}
  </form>
</section>
<section class="panel">
  <ul class="products"><li class="head">${COLUMNS.map(heading)}<span></span></li></ul>
  ${list}
  <p class="row">${at > 1 ? html`<a href="${link({ page: String(at - 1) })}" rel="prev">← Previous</a>` : ''}
    <span id="paging">Page ${at} of <span id="page-count" ${ds.text(`Math.max(1, Math.ceil(${list.count} / ${PAGE_SIZE}))`)}>${pages}</span> · <span id="product-count" ${ds.text(list.count)}>${list.total}</span> products</span>
    ${at < pages ? html`<a href="${link({ page: String(at + 1) })}" rel="next">Next →</a>` : ''}</p>
</section>`);
}
