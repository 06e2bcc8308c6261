/**
 * @module @starmodel/admin/table-view
 * One view of a records table: sort, page and search, read from the URL, loaded through
 * `kernel.find` (so it works on every store), and matched against live changes.
 *
 * Search semantics (every store guarantees equality filters, nothing more):
 * - with a field chosen (`?field=name&q=...`): an exact match on that field, through `find`'s
 *   `where` (the text is converted to the field's type first: `12` for a number, `true` for a
 *   boolean). Paging, sorting and the total are the store's.
 * - with "any text field" (`?q=...` alone): a case-insensitive substring match on `id` and every
 *   visible text or enum field, over at most `searchScanLimit` records read in the table's order;
 *   the page says when that limit cut the search short.
 */
import { coerce, signalsOf, StarmodelError, type Entity, type EntityMeta, type FindQuery, type JsonObject, type Kernel, type OrderBy } from 'starmodel';
import { sortableColumns, textColumns } from './fields.js';
import type { AdminOptions } from './options.js';

/** Sort, page and search of a table, as the URL gives them. */
export interface TableView {
  /** Column sorted by; '' keeps the store's order (creation order). */
  readonly sort: string;
  readonly dir: 'asc' | 'desc';
  /** 1-based. */
  readonly page: number;
  /** Search text; '' shows every record. */
  readonly q: string;
  /** Field of an exact search; '' searches every text field for a substring. */
  readonly field: string;
}

/** A loaded page of a table. */
export interface TablePage {
  /** Each record's signals (id, visible fields, computed values). */
  readonly rows: JsonObject[];
  /** Records matching the view (for a substring search: among those scanned). */
  readonly total: number;
  readonly pages: number;
  /** The page shown (the last one when the URL asked for a page past the end). */
  readonly page: number;
  /** Set when a substring search read only the first `limit` of `of` records. */
  readonly scanCut?: { readonly limit: number; readonly of: number };
}

const one = (value: unknown): string => (Array.isArray(value) ? String(value[0] ?? '') : value === undefined ? '' : String(value));

function invalid(meta: EntityMeta, name: string, message: string): StarmodelError {
  return new StarmodelError('SM_VALIDATION_FAILED', { summary: `${name}: ${message}` }, { fields: { [name]: message } });
}

/** Reads `?sort=&dir=&page=&q=&field=`, refusing unknown columns with 400 and the columns it knows. */
export function readTableView(meta: EntityMeta, query: Readonly<Record<string, unknown>>): TableView {
  const sortable = sortableColumns(meta);
  const sort = one(query.sort);
  if (sort && !sortable.includes(sort)) throw invalid(meta, 'sort', `"${sort}" is not a column you can sort by; use one of: ${sortable.join(', ')}`);
  const dirText = one(query.dir) || 'asc';
  if (dirText !== 'asc' && dirText !== 'desc') throw invalid(meta, 'dir', 'use "asc" or "desc"');
  const pageText = one(query.page) || '1';
  const page = Number(pageText);
  if (!/^\d+$/.test(pageText) || !Number.isSafeInteger(page) || page < 1) throw invalid(meta, 'page', 'a page number is a whole number from 1');
  const field = one(query.field);
  if (field && field !== 'id' && !(Object.hasOwn(meta.fields, field) && !meta.hidden.has(field))) {
    throw invalid(meta, 'field', `"${field}" is not a field you can search; use one of: id, ${Object.keys(meta.fields).filter((name) => !meta.hidden.has(name)).join(', ')}`);
  }
  const q = one(query.q).slice(0, 200);
  return { sort, dir: dirText, page, q, field };
}

/** The URL query of a view, with some values changed (defaults left out). */
export function viewQuery(view: TableView, change: Partial<TableView> = {}): string {
  const next = { ...view, ...change };
  const params = new URLSearchParams();
  if (next.q) params.set('q', next.q);
  if (next.q && next.field) params.set('field', next.field);
  if (next.sort) params.set('sort', next.sort);
  if (next.sort && next.dir !== 'asc') params.set('dir', next.dir);
  if (next.page > 1) params.set('page', String(next.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function orderOf(view: TableView): OrderBy[] {
  return view.sort ? [{ field: view.sort, direction: view.dir }] : [];
}

/** The typed value of an exact search, or a 400 saying what the field expects. */
function exactValue(meta: EntityMeta, view: TableView): unknown {
  if (view.field === 'id') return view.q;
  const schema = meta.fields[view.field]!;
  const value = coerce(schema, view.q);
  const checked = schema.safeParse(value);
  if (!checked.success) throw invalid(meta, 'q', `"${view.q}" cannot be a value of ${view.field}: ${checked.error.issues[0]?.message ?? 'not valid'}`);
  return checked.data;
}

/** Case-insensitive substring match on the text columns of a record's signals. */
function containsText(meta: EntityMeta, signals: JsonObject, q: string): boolean {
  const needle = q.toLowerCase();
  return textColumns(meta).some((name) => {
    const value = signals[name];
    return typeof value === 'string' && value.toLowerCase().includes(needle);
  });
}

/** True when a record (its signals) belongs in the view's search (used for live appends). */
export function matchesView(meta: EntityMeta, view: TableView, signals: JsonObject): boolean {
  if (!view.q) return true;
  if (!view.field) return containsText(meta, signals, view.q);
  let expected: unknown;
  try {
    expected = exactValue(meta, view);
  } catch {
    return false;
  }
  const actual = signals[view.field];
  const normal = (value: unknown) => JSON.stringify(value instanceof Date ? value.toISOString() : value);
  return normal(actual) === normal(expected);
}

/** Loads one page of a view. */
export async function loadTablePage(kernel: Kernel, meta: EntityMeta, view: TableView, options: Pick<AdminOptions, 'pageSize' | 'searchScanLimit'>): Promise<TablePage> {
  const size = options.pageSize;
  const orderBy = orderOf(view);
  const toSignals = (items: readonly Entity[]) => items.map((entity) => signalsOf(meta, entity));
  if (view.q && !view.field) {
    const scanned = await kernel.find(meta.cls, { orderBy, limit: options.searchScanLimit });
    const matching = toSignals(scanned.items).filter((signals) => containsText(meta, signals, view.q));
    const pages = Math.max(1, Math.ceil(matching.length / size));
    const page = Math.min(view.page, pages);
    return {
      rows: matching.slice((page - 1) * size, page * size), total: matching.length, pages, page,
      ...(scanned.total > options.searchScanLimit ? { scanCut: { limit: options.searchScanLimit, of: scanned.total } } : {}),
    };
  }
  const where = view.q ? { [view.field]: exactValue(meta, view) } : {};
  const query = (page: number): FindQuery => ({ where, orderBy, limit: size, offset: (page - 1) * size });
  let result = await kernel.find(meta.cls, query(view.page));
  const pages = Math.max(1, Math.ceil(result.total / size));
  const page = Math.min(view.page, pages);
  if (page !== view.page) result = await kernel.find(meta.cls, query(page));
  return { rows: toSignals(result.items), total: result.total, pages, page };
}
