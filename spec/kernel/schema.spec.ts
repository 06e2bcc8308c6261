import { expect } from 'chai';
import { baseType, coerce, inferSchema, validateNamed, z } from '../../kernel/index.js';
import { throwsWith } from '../fixtures/errors.js';

describe('Schemas and coercion', () => {
  describe('inferSchema', () => {
    it('infers the schema type from a value', () => {
      const cases: [unknown, string][] = [[0, 'number'], ['', 'string'], [false, 'boolean'], [10n, 'bigint'], [new Date(), 'date'], [[], 'array'], [{}, 'record'], [null, 'unknown'], [undefined, 'unknown']];
      for (const [value, type] of cases) expect(baseType(inferSchema(value)), String(value)).to.equal(type);
    });
  });

  describe('baseType', () => {
    it('looks through optional, default, nullable and pipes', () => {
      expect(baseType(z.number().optional())).to.equal('number');
      expect(baseType(z.string().default('x'))).to.equal('string');
      expect(baseType(z.boolean().nullable())).to.equal('boolean');
      expect(baseType(z.string().transform((value) => value.length))).to.equal('string');
    });
  });

  describe('coerce', () => {
    it('turns numeric text into numbers, and leaves other text for validation to report', () => {
      expect(coerce(z.number(), '5')).to.equal(5);
      expect(coerce(z.number(), ' -2.5 ')).to.equal(-2.5);
      expect(coerce(z.number(), '1e3')).to.equal(1000);
      expect(coerce(z.number(), 'abc')).to.equal('abc');
      expect(coerce(z.number(), '')).to.equal('');
      expect(coerce(z.number(), 'Infinity')).to.equal('Infinity');
      expect(coerce(z.number(), '0x10')).to.equal('0x10');
    });

    it('reads the usual words for booleans', () => {
      for (const word of ['true', 'TRUE', '1', 'yes', 'on']) expect(coerce(z.boolean(), word), word).to.equal(true);
      for (const word of ['false', '0', 'no', 'off']) expect(coerce(z.boolean(), word), word).to.equal(false);
      expect(coerce(z.boolean(), 'maybe')).to.equal('maybe');
    });

    it('parses dates and bigints', () => {
      expect((coerce(z.date(), '2030-01-02T00:00:00.000Z') as Date).toISOString()).to.equal('2030-01-02T00:00:00.000Z');
      expect(coerce(z.date(), 'not a date')).to.equal('not a date');
      expect(coerce(z.bigint(), '12345678901234567890')).to.equal(12345678901234567890n);
    });

    it('wraps a single value in a list for array schemas and coerces each item', () => {
      expect(coerce(z.array(z.number()), ['1', '2'])).to.deep.equal([1, 2]);
      expect(coerce(z.array(z.number()), '3')).to.deep.equal([3]);
      expect(coerce(z.array(z.number()), undefined)).to.equal(undefined);
    });

    it('coerces the known keys of an object', () => {
      expect(coerce(z.object({ n: z.number(), on: z.boolean() }), { n: '4', on: 'on', extra: '1' })).to.deep.equal({ n: 4, on: true, extra: '1' });
    });

    it('coerces through optional wrappers', () => {
      expect(coerce(z.number().optional(), '7')).to.equal(7);
    });
  });

  describe('validateNamed', () => {
    it('returns parsed values and leaves out absent optional ones', () => {
      expect(validateNamed({ n: z.number(), label: z.string().optional() }, { n: '2' })).to.deep.equal({ n: 2 });
    });

    it('names every bad value with a readable message', () => {
      const error = throwsWith(() => validateNamed({ n: z.number(), on: z.boolean(), label: z.string(), short: z.string().max(2) }, { n: 'x', on: 'maybe', short: 'long' }), 'SM_VALIDATION_FAILED');
      expect(error.fields).to.deep.equal({ n: 'Expected a number', on: 'Expected true or false', label: 'Required', short: error.fields?.short });
      expect(error.fields?.short).to.be.a('string').and.not.equal('');
      expect(error.message).to.include('n: Expected a number');
    });

    it('names the path inside a nested value', () => {
      const error = throwsWith(() => validateNamed({ point: z.object({ x: z.number() }) }, { point: { x: 'left' } }), 'SM_VALIDATION_FAILED');
      expect(Object.keys(error.fields ?? {})).to.deep.equal(['point.x']);
    });
  });
});
