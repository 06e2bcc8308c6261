import { expect } from 'chai';
import { ERROR_CODES, StarmodelError, isStarmodelError, refuse, toStarmodelError, type ErrorCode } from '../../kernel/index.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('Error codes', () => {
  it('has codes', () => {
    expect(codes.length).to.be.greaterThan(10);
  });

  for (const code of codes) {
    it(`${code} has the SM_<AREA>_<PROBLEM> form, an HTTP error status and a message`, () => {
      const definition = ERROR_CODES[code];
      expect(code).to.match(/^SM_[A-Z]+_[A-Z_]+$/);
      expect(definition.status).to.be.within(400, 599);
      expect(definition.message.trim()).to.not.equal('');
      expect(definition.expose).to.be.a('boolean');
    });
  }

  it('never exposes server faults (5xx other than 503) to clients', () => {
    for (const code of codes) {
      const { status, expose } = ERROR_CODES[code];
      if (status >= 500 && status !== 503) expect(expose, code).to.equal(false);
    }
  });
});

describe('StarmodelError', () => {
  it('fills the message template from its parameters and carries code and status', () => {
    const error = new StarmodelError('SM_EVENT_UNKNOWN', { entity: 'Counter', event: 'nope' });
    expect(error).to.be.instanceOf(Error);
    expect(error.name).to.equal('StarmodelError');
    expect(error.code).to.equal('SM_EVENT_UNKNOWN');
    expect(error.status).to.equal(404);
    expect(error.message).to.equal('Entity "Counter" has no event "nope". Events are methods marked with @event().');
  });

  it('leaves a placeholder that has no parameter visible rather than dropping it', () => {
    expect(new StarmodelError('SM_EVENT_UNKNOWN', { entity: 'Counter' }).message).to.include('{event}');
  });

  it('hides the message of a non-exposed error in toJSON()', () => {
    const error = new StarmodelError('SM_STORE_FAILED', { store: 'sql', reason: 'password authentication failed for user admin' });
    expect(error.message).to.include('password authentication failed');
    const body = error.toJSON();
    expect(body.error.code).to.equal('SM_STORE_FAILED');
    expect(body.error.status).to.equal(500);
    expect(body.error.message).to.not.include('password');
    expect(JSON.stringify(error)).to.not.include('password');
  });

  it('keeps the message of an exposed error in toJSON()', () => {
    const error = new StarmodelError('SM_RECORD_NOT_FOUND', { entity: 'Todo', id: '42' });
    expect(error.toJSON()).to.deep.equal({ error: { code: 'SM_RECORD_NOT_FOUND', status: 404, message: 'There is no "Todo" with id 42.' } });
  });

  it('exposes per-field messages of validation errors', () => {
    const error = new StarmodelError('SM_VALIDATION_FAILED', { summary: 'amount: Expected a number' }, { fields: { amount: 'Expected a number' } });
    expect(error.fields).to.deep.equal({ amount: 'Expected a number' });
    expect(error.toJSON().error.fields).to.deep.equal({ amount: 'Expected a number' });
  });

  it('never exposes fields of a non-exposed error', () => {
    const error = new StarmodelError('SM_EVENT_FAILED', { entity: 'A', event: 'b', reason: 'x' }, { fields: { secret: 'leak' } });
    expect(error.toJSON().error).to.not.have.property('fields');
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new StarmodelError('SM_STORE_FAILED', { store: 'sql', reason: 'x' }, { cause }).cause).to.equal(cause);
  });

  it('is recognised by isStarmodelError, also from another copy of the kernel', () => {
    expect(isStarmodelError(new StarmodelError('SM_KERNEL_CLOSED'))).to.equal(true);
    const foreign = Object.assign(new Error('x'), { code: 'SM_KERNEL_CLOSED', status: 503 });
    expect(isStarmodelError(foreign)).to.equal(true);
    expect(isStarmodelError(Object.assign(new Error('x'), { code: 'ENOENT', status: 1 }))).to.equal(false);
    expect(isStarmodelError({ code: 'SM_KERNEL_CLOSED', status: 503 })).to.equal(false);
  });

  it('wraps anything thrown with toStarmodelError, keeping StarmodelErrors as they are', () => {
    const own = new StarmodelError('SM_KERNEL_CLOSED');
    expect(toStarmodelError(own, 'SM_EVENT_FAILED', {})).to.equal(own);
    const wrapped = toStarmodelError(new Error('boom'), 'SM_EVENT_FAILED', { entity: 'A', event: 'b' });
    expect(wrapped.code).to.equal('SM_EVENT_FAILED');
    expect(wrapped.message).to.equal('Event "A.b" failed: boom');
    expect(toStarmodelError('plain text', 'SM_EVENT_FAILED', { entity: 'A', event: 'b' }).message).to.include('plain text');
  });

  it('refuse() throws an exposed 422 with the message and fields the user sees', () => {
    let caught: unknown;
    try {
      refuse('Stock cannot go below zero.', { delta: 'Too large a decrease' });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(StarmodelError);
    expect((caught as StarmodelError).toJSON()).to.deep.equal({
      error: { code: 'SM_EVENT_REFUSED', status: 422, message: 'Stock cannot go below zero.', fields: { delta: 'Too large a decrease' } },
    });
  });
});
