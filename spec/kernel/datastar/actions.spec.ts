import { expect } from 'chai';
import { Entity, event } from '../../../kernel/index.js';
import { throwsWith } from '../../fixtures/errors.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  label = '';
  get double() { return this.count * 2; }
  @event() increment(amount = 1) { this.count += amount; }
  @event({ method: 'post' }) reset() { this.count = 0; }
  @event({ method: 'delete' }) clear() { this.count = 0; }
  @event({ path: '/count/up' }) up(by = 1) { this.count += by; }
  @event() rename(label: string) { this.label = label; }
  @event() tag(tags: string[] = []) { this.label = tags.join(); }
  @event() move(by = 1, label = '') { this.count += by; this.label = label; }
}

class Todo extends Entity {
  static override scope = 'record' as const;
  done = false;
  @event({ method: 'post' }) toggle() { this.done = !this.done; }
  @event({ method: 'put' }) rename(title = '') { this.done = title === ''; }
}

class Gauge extends Entity {
  static override namespace = 'g';
  static override route = 'meter';
  level = 0;
  @event() bump() { this.level++; }
}

describe('Action strings and signal paths', () => {
  describe('Entity.act', () => {
    it('builds a GET action with the arguments in the query', () => {
      expect(Counter.act('increment', 5)).to.equal("@get('/counter/increment?amount=5')");
    });

    it('leaves out the query when there are no arguments', () => {
      expect(Counter.act('increment')).to.equal("@get('/counter/increment')");
    });

    it('uses the HTTP method of the event', () => {
      expect(Counter.act('reset')).to.equal("@post('/counter/reset')");
      expect(Counter.act('clear')).to.equal("@delete('/counter/clear')");
    });

    it('uses a custom path', () => {
      expect(Counter.act('up', 2)).to.equal("@get('/count/up?by=2')");
    });

    it('uses a custom route segment', () => {
      expect(Gauge.act('bump')).to.equal("@get('/meter/bump')");
    });

    it('writes several arguments in parameter order and skips undefined ones', () => {
      expect(Counter.act('move', 2, 'x')).to.equal("@get('/counter/move?by=2&label=x')");
      expect(Counter.act('move', undefined, 'x')).to.equal("@get('/counter/move?label=x')");
    });

    it('repeats the key for array arguments', () => {
      expect(Counter.act('tag', ['a', 'b'])).to.equal("@get('/counter/tag?tags=a&tags=b')");
    });

    it('URL-encodes values', () => {
      expect(Counter.act('rename', 'a b&c=d/é')).to.equal("@get('/counter/rename?label=a+b%26c%3Dd%2F%C3%A9')");
    });

    it('encodes a single quote so a value cannot break out of the JS string', () => {
      const action = Counter.act('rename', "x');alert(1);('");
      expect(action).to.equal("@get('/counter/rename?label=x%27%29%3Balert%281%29%3B%28%27')");
      expect(action.split("'")).to.have.length(3);
    });

    it('refuses an unknown event with SM_EVENT_UNKNOWN', () => {
      const error = throwsWith(() => (Counter.act as (name: string) => string).call(Counter, 'nope'), 'SM_EVENT_UNKNOWN');
      expect(error.message).to.include('"nope"');
    });
  });

  describe('Entity.actOn (records)', () => {
    it('puts the record id in the path', () => {
      expect(Todo.actOn('42', 'toggle')).to.equal("@post('/todo/42/toggle')");
      expect(Todo.actOn('42', 'rename', 'milk')).to.equal("@put('/todo/42/rename?title=milk')");
    });

    it('encodes the id', () => {
      expect(Todo.actOn('a b', 'toggle')).to.equal("@post('/todo/a%20b/toggle')");
      expect(Todo.actOn('a/b?c', 'toggle')).to.equal("@post('/todo/a%2Fb%3Fc/toggle')");
    });

    it('encodes a single quote in the id', () => {
      const action = Todo.actOn("it's", 'toggle');
      expect(action).to.equal("@post('/todo/it%27s/toggle')");
      expect(action.split("'")).to.have.length(3);
    });
  });

  describe('Entity.$ (signal paths)', () => {
    it('gives the namespaced signal path of a field', () => {
      expect(Counter.$('count')).to.equal('$Counter.count');
    });

    it('works for getters and for a custom namespace', () => {
      expect(Counter.$('double')).to.equal('$Counter.double');
      expect(Gauge.$('level')).to.equal('$g.level');
    });

    it('gives the path of a validation message', () => {
      expect(Counter.errorOf('amount')).to.equal('$Counter.errors.amount');
    });
  });
});
