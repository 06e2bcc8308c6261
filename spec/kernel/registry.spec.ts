import { expect } from 'chai';
import { Entity, EntityRegistry, Kernel, event, z, type EntityClass } from '../../kernel/index.js';
import { throwsWith } from '../fixtures/errors.js';
import { recordingLogger } from '../fixtures/logger.js';

class Counter extends Entity {
  static override scope = 'global' as const;
  count = 0;
  @event() increment(amount = 1) { this.count += amount; }
  @event({ method: 'post' }) reset() { this.count = 0; }
  @event({ path: '/count/up', method: 'put' }) up() { this.count++; }
}

class Todo extends Entity {
  static override scope = 'record' as const;
  static override route = 'todos';
  static override namespace = 'todo';
  title = '';
  @event({ method: 'post' }) toggle() { this.title += '!'; }
  @event({ method: 'post' }) static create(title: string) {
    const todo = new Todo();
    todo.title = title;
    return todo;
  }
}

// Two distinct classes that share a class name.
const FirstTwin = class Twin extends Entity { a = 1; };
const SecondTwin = class Twin extends Entity { b = 2; };

// Two distinct classes that claim the same route segment.
class Alpha extends Entity { static override route = 'shared'; a = 1; }
class Beta extends Entity { static override route = 'shared'; b = 1; }

class NotAnEntity {
  count = 0;
}

class NeedsArgs extends Entity {
  constructor(readonly start: number) {
    super();
    if (start === undefined) throw new Error('start is required');
  }
}

class Destructured extends Entity {
  @event() apply({ amount }: { amount: number }) { return amount; }
}

class DestructuredWithArgs extends Entity {
  total = 0;
  @event({ args: { amount: z.number() } }) apply({ amount }: { amount: number }) { this.total += amount; }
}

class OddScope extends Entity {
  static override scope = 'team' as unknown as 'global';
}

describe('EntityRegistry', () => {
  it('describes routes, namespaces and events of a class', () => {
    const registry = new EntityRegistry();
    const counter = registry.add(Counter);
    expect(counter.name).to.equal('Counter');
    expect(counter.route).to.equal('counter');
    expect(counter.namespace).to.equal('Counter');
    expect(counter.events.get('increment')).to.include({ method: 'get', path: '/counter/increment' });
    expect(counter.events.get('reset')).to.include({ method: 'post', path: '/counter/reset' });
    expect(counter.events.get('up')).to.include({ method: 'put', path: '/count/up' });
  });

  it('puts the record id in the path of record events but not of static ones', () => {
    const todo = new EntityRegistry().add(Todo);
    expect(todo.route).to.equal('todos');
    expect(todo.namespace).to.equal('todo');
    expect(todo.events.get('toggle')).to.include({ path: '/todos/:id/toggle', isStatic: false });
    expect(todo.events.get('create')).to.include({ path: '/todos/create', isStatic: true });
  });

  it('finds a class by name, by class and by route', () => {
    const registry = new EntityRegistry();
    registry.add(Counter);
    expect(registry.get('Counter').cls).to.equal(Counter);
    expect(registry.get(Counter).name).to.equal('Counter');
    expect(registry.byRoute('counter')?.cls).to.equal(Counter);
    expect(registry.find('Nope')).to.equal(undefined);
    throwsWith(() => registry.get('Nope'), 'SM_ENTITY_UNKNOWN');
  });

  it('adding the same class twice is harmless', () => {
    const registry = new EntityRegistry();
    expect(registry.add(Counter)).to.equal(registry.add(Counter));
    expect(registry.all()).to.have.length(1);
  });

  it('rejects a second class with the same name', () => {
    const registry = new EntityRegistry();
    registry.add(FirstTwin);
    const error = throwsWith(() => registry.add(SecondTwin), 'SM_ENTITY_DUPLICATE');
    expect(error.message).to.include('Twin');
    expect(registry.get('Twin').cls).to.equal(FirstTwin);
  });

  it('rejects a second class with the same route', () => {
    const registry = new EntityRegistry();
    registry.add(Alpha);
    const error = throwsWith(() => registry.add(Beta), 'SM_ENTITY_DUPLICATE');
    expect(error.message).to.include('shared');
  });

  it('refuses a class that does not extend Entity with SM_ENTITY_INVALID', () => {
    const error = throwsWith(() => new EntityRegistry().add(NotAnEntity as unknown as EntityClass), 'SM_ENTITY_INVALID');
    expect(error.message).to.include('NotAnEntity').and.include('does not extend Entity');
  });

  it('refuses a class that cannot be constructed without arguments', () => {
    const error = throwsWith(() => new EntityRegistry().add(NeedsArgs as unknown as EntityClass), 'SM_ENTITY_INVALID');
    expect(error.message).to.include('NeedsArgs').and.include('start is required');
  });

  it('refuses an event with a destructured parameter unless its args are named', () => {
    const error = throwsWith(() => new EntityRegistry().add(Destructured), 'SM_ENTITY_INVALID');
    expect(error.message).to.include('apply').and.include('args');
    expect(new EntityRegistry().add(DestructuredWithArgs).events.get('apply')?.args.map((arg) => arg.name)).to.deep.equal(['amount']);
  });

  it('refuses an unknown scope without a custom identify()', () => {
    const error = throwsWith(() => new EntityRegistry().add(OddScope), 'SM_ENTITY_INVALID');
    expect(error.message).to.include('team');
  });

  it('runs the entity hook once per registered class', () => {
    const kernel = new Kernel({ logger: recordingLogger().logger, memory: { sweepIntervalMs: 0 } });
    const seen: string[] = [];
    kernel.pluginApi('watcher').hooks.entity.tap((meta) => { seen.push(meta.name); });
    kernel.register(Counter, Todo);
    kernel.register(Counter);
    expect(seen).to.deep.equal(['Counter', 'Todo']);
  });
});
