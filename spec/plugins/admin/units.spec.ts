/**
 * The admin's small parts on their own: what a submitted form means for each kind of field, the
 * text a control shows for a value, the panel registry's checks, and which live records belong in
 * a searched table.
 */
import { expect } from 'chai';
import { metaOf, z } from '../../../kernel/index.js';
import { readForm, toFormValue, topLevelErrors } from '../../../plugins/admin/form-values.js';
import { PanelRegistry } from '../../../plugins/admin/panels.js';
import { matchesView, readTableView, viewQuery } from '../../../plugins/admin/table-view.js';
import { html } from '../../../kernel/index.js';
import { Gadget } from './fixtures/entities.js';

describe('admin form values', () => {
  const schemas = {
    name: z.string().max(10),
    price: z.number(),
    discount: z.number().nullable(),
    note: z.string().optional(),
    active: z.boolean(),
    colour: z.enum(['red', 'blue']).optional(),
    at: z.date().nullable(),
    tags: z.array(z.string()),
  };

  it('reads each kind of control into the value its schema expects', () => {
    const form = readForm(schemas, { name: ' Lamp ', price: '12.50', discount: '', note: '', active: 'true', colour: '', at: '2024-05-01T10:30', tags: '["a","b"]' });
    expect(form.errors).to.deep.equal({});
    expect(form.values).to.deep.equal({ name: ' Lamp ', price: 12.5, discount: null, note: '', active: true, at: new Date('2024-05-01T10:30:00Z'), tags: ['a', 'b'] });
    expect(form.typed).to.include({ price: '12.50', active: true, tags: '["a","b"]' });
  });

  it('takes a missing checkbox as false, and leaves text it cannot read for validation to report', () => {
    const form = readForm(schemas, { price: 'lots', at: 'yesterday', tags: '[' });
    expect(form.values).to.include({ active: false, price: 'lots', at: 'yesterday', name: '' });
    expect(form.errors.tags).to.match(/^Not valid JSON/);
    expect(form.typed.tags).to.equal('[');
  });

  it('shows values as control text: dates in UTC to the second, JSON pretty, nothing as empty', () => {
    expect(toFormValue(schemas.at, new Date('2024-05-01T10:30:05.123Z'))).to.equal('2024-05-01T10:30:05');
    expect(toFormValue(schemas.at, '2024-05-01T10:30:05.000Z')).to.equal('2024-05-01T10:30:05');
    expect(toFormValue(schemas.tags, ['a'])).to.equal('[\n  "a"\n]');
    expect(toFormValue(schemas.discount, null)).to.equal('');
    expect(toFormValue(schemas.active, true)).to.equal(true);
  });

  it('folds nested error paths onto their field', () => {
    expect(topLevelErrors({ 'tags.1': 'Expected string', name: 'Too long' })).to.deep.equal({ tags: '1: Expected string', name: 'Too long' });
  });
});

describe('admin panel registry', () => {
  it('keeps panels in the order added and refuses malformed or duplicate ones', () => {
    const panels = new PanelRegistry();
    panels.add({ id: 'jobs', title: 'Jobs', render: () => html`<p>ok</p>` });
    panels.add({ id: 'redis-health', title: 'Redis', render: () => html`<p>ok</p>` });
    expect(panels.list().map((panel) => panel.id)).to.deep.equal(['jobs', 'redis-health']);
    const refused = (panel: unknown) => {
      try {
        panels.add(panel as never);
      } catch (error) {
        return (error as { code?: string; message: string });
      }
      throw new Error('accepted');
    };
    expect(refused({ id: 'jobs', title: 'Again', render: () => html`` }).message).to.contain('another panel already has the id "jobs"');
    expect(refused({ id: 'Bad Id', title: 'x', render: () => html`` }).code).to.equal('SM_CONFIG_INVALID');
    expect(refused({ id: 'no-render', title: 'x' }).message).to.contain('render must be a function');
  });
});

describe('admin table view', () => {
  const meta = metaOf(Gadget);

  it('reads sort, page and search from the URL and writes them back without defaults', () => {
    const view = readTableView(meta, { sort: 'price', dir: 'desc', page: '2', q: 'lamp', field: 'name' });
    expect(view).to.deep.equal({ sort: 'price', dir: 'desc', page: 2, q: 'lamp', field: 'name' });
    expect(viewQuery(view, { page: 1 })).to.equal('?q=lamp&field=name&sort=price&dir=desc');
    expect(viewQuery(readTableView(meta, {}))).to.equal('');
  });

  it('refuses hidden fields, unknown columns and odd pages', () => {
    for (const query of [{ sort: 'secret' }, { field: 'secret', q: 'x' }, { sort: 'tags' }, { page: '0' }, { page: '1.5' }, { dir: 'up' }]) {
      expect(() => readTableView(meta, query), JSON.stringify(query)).to.throw().with.property('code', 'SM_VALIDATION_FAILED');
    }
  });

  it('matches live records against the search: a substring of any text field, or one field exactly', () => {
    const lamp = { id: 'x1', name: 'Desk Lamp', price: 12, colour: 'blue' };
    expect(matchesView(meta, readTableView(meta, {}), lamp)).to.equal(true);
    expect(matchesView(meta, readTableView(meta, { q: 'LAMP' }), lamp)).to.equal(true);
    expect(matchesView(meta, readTableView(meta, { q: 'chair' }), lamp)).to.equal(false);
    expect(matchesView(meta, readTableView(meta, { q: '12', field: 'price' }), lamp)).to.equal(true);
    expect(matchesView(meta, readTableView(meta, { q: '12' }), lamp), 'numbers are not text').to.equal(false);
    expect(matchesView(meta, readTableView(meta, { q: 'Desk', field: 'name' }), lamp), 'a field search is exact').to.equal(false);
  });
});
