/**
 * The form helper (`eventForm`, `routeForm`), the form wire contract (forms.ts) and the encoders of
 * an event's feedback: what markup and patches they write, and what they refuse.
 */
import { expect } from 'chai';
import {
  beta11Encoder, checkRedirect, Entity, event, eventForm, feedbackPatches, field, formKey, html, isStarmodelError, pageMessage, requestFormKey, routeForm,
  scriptLiteral, v1Encoder, validateRequest, z,
} from '../../../kernel/index.js';

class Task extends Entity {
  static override scope = 'record' as const;
  @field(z.string().min(1)) title = '';
  done = false;
  @event({ method: 'post' }) rename(title: string) { this.title = title; }
  @event({ method: 'post', internal: true }) archive() { this.done = true; }
}

class Tally extends Entity {
  count = 0;
  @event() add(amount = 1) { this.count += amount; }
  @event({ method: 'post' }) static open(name: string) { return name; }
}

/** The value of an attribute in markup, unescaped. */
function attributeOf(markup: string, name: string): string {
  const match = new RegExp(`(?:^|\\s)${name.replace(/[-.]/g, (char) => `\\${char}`)}="([^"]*)"`).exec(markup);
  expect(match, `${name} in ${markup}`).to.not.equal(null);
  return match![1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');
}

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isStarmodelError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the form helper', () => {
  it('declares the arguments, their defaults, the messages and busy in a namespace of its own', () => {
    const form = eventForm(Task, 'create', { title: 'x' });
    expect(form.key).to.equal('task_create');
    expect(form.signals).to.deep.equal({ sm: { forms: { task_create: { values: { title: 'x' }, initial: { title: 'x' }, errors: { title: '', done: '' }, busy: false } } } });
    const attrs = form.attrs.value;
    expect(JSON.parse(attributeOf(attrs, 'data-signals'))).to.deep.equal(form.signals);
    expect(attributeOf(attrs, 'id')).to.equal('sm-form-task-create');
    expect(attributeOf(attrs, 'method')).to.equal('post');
    expect(attributeOf(attrs, 'action')).to.equal('/task/create');
  });

  it('sends the event with its SM-Form header on submit, and binds inputs to the form, not the entity', () => {
    const form = eventForm(Task, 'create', { title: '' });
    expect(attributeOf(form.attrs.value, 'data-on-submit__prevent')).to.equal("@post('/task/create', {headers: {'SM-Form': 'task_create'}})");
    const input = form.input('title', { placeholder: 'Say "hi"', required: true, hidden: false }).value;
    expect(attributeOf(input, 'data-bind')).to.equal('sm.forms.task_create.values.title');
    expect(attributeOf(input, 'name')).to.equal('title');
    expect(attributeOf(input, 'placeholder')).to.equal('Say "hi"');
    expect(input).to.include(' required').and.not.include('hidden');
    // Checked on the server while the user types: validate-only, debounced.
    // Not while it holds its default (after a reset), so a cleared form is not told off.
    expect(attributeOf(input, 'data-on-input__debounce.400ms')).to.equal("$sm.forms.task_create.values.title !== $sm.forms.task_create.initial.title && @post('/task/create', {headers: {'SM-Form': 'task_create', 'SM-Validate': 'title'}})");
    const kept = eventForm(Task, 'create', { title: '' }, { keep: true }).input('title').value;
    expect(attributeOf(kept, 'data-on-input__debounce.400ms')).to.equal("@post('/task/create', {headers: {'SM-Form': 'task_create', 'SM-Validate': 'title'}})");
    expect(attributeOf(form.error('title').value, 'data-text')).to.equal('$sm.forms.task_create.errors.title');
    expect(form.value('title')).to.equal('$sm.forms.task_create.values.title');
  });

  it('leaves validation while typing out when asked', () => {
    const form = eventForm(Task, 'create', { title: '' }, { validate: false });
    expect(form.input('title').value).to.not.include('data-on-input');
  });

  it('goes back to the defaults after a success, except the inputs it keeps', () => {
    const form = eventForm(Task, 'create', { title: 'a', done: false }, { keep: ['done'] });
    expect((form.signals.sm as { forms: { task_create: { initial: unknown } } }).forms.task_create.initial).to.deep.equal({ title: 'a' });
    const kept = eventForm(Task, 'create', { title: 'a' }, { keep: true });
    expect((kept.signals.sm as { forms: { task_create: { initial: unknown } } }).forms.task_create.initial).to.deep.equal({});
  });

  it('disables its submit button and shows a busy indicator while the request is pending', () => {
    const form = eventForm(Task, 'create', { title: '' });
    const button = form.submit('Add <now>').value;
    expect(button).to.match(/^<button type="submit"/);
    expect(button).to.include('Add &lt;now&gt;');
    expect(attributeOf(button, 'data-attr-disabled')).to.equal('$sm.forms.task_create.busy');
    expect(attributeOf(button, 'data-show')).to.equal('$sm.forms.task_create.busy');
    // beta.11's data-indicator stops after one request: the form follows Datastar's fetch events itself.
    const tracking = attributeOf(form.attrs.value, 'data-on-datastar-sse');
    expect(tracking).to.include("evt.detail.elId === 'sm-form-task-create'").and.include('$sm.forms.task_create.busy = ');
    const v1 = eventForm(Task, 'create', { title: '' }, { dialect: 'v1' });
    expect(attributeOf(v1.attrs.value, 'data-indicator')).to.equal('sm.forms.task_create.busy');
    expect(attributeOf(v1.attrs.value, 'data-on:submit__prevent')).to.include("@post('/task/create'");
  });

  it('runs a record event on the record it names, with buttons that put their arguments in the URL', () => {
    const form = eventForm(Task, 'rename', {}, { id: 'a-1' });
    expect(form.key).to.equal('task_rename_a_1');
    const button = form.button('Call it "b"', { title: "b'c" }).value;
    expect(attributeOf(button, 'data-on-click')).to.equal("@post('/task/a-1/rename?title=b%27c', {headers: {'SM-Form': 'task_rename_a_1'}})");
    expect(attributeOf(button, 'id')).to.equal('sm-form-task-rename-a-1-send-1');
    expect(form.scope.value).to.not.match(/\bid=/);
  });

  it('sends static events and GET events as well', () => {
    expect(attributeOf(eventForm(Tally, 'open', { name: '' }).attrs.value, 'data-on-submit__prevent')).to.equal("@post('/tally/open', {headers: {'SM-Form': 'tally_open'}})");
    const add = eventForm(Tally, 'add', { amount: '5' });
    expect(attributeOf(add.attrs.value, 'data-on-submit__prevent')).to.equal("@get('/tally/add', {headers: {'SM-Form': 'tally_add'}})");
    expect(attributeOf(add.attrs.value, 'method')).to.equal('get');
  });

  it('refuses what it cannot build, saying what to do', () => {
    expect(refusal(() => eventForm(Task, 'rename', {})).message).to.match(/pass its id/);
    expect(refusal(() => eventForm(Task, 'rename', { nope: 1 }, { id: '1' })).message).to.match(/"nope" is not an argument of the event; use one of: title/);
    expect(refusal(() => eventForm(Task, 'create', { title: '' }).bind('done')).message).to.match(/input "done" has no default/);
    expect(refusal(() => eventForm(Task, 'archive' as 'rename', {}, { id: '1' })).code).to.equal('SM_EVENT_UNKNOWN');
    expect(refusal(() => eventForm(Task, 'create', { title: '' }).input('title', { 'on"x': 1 })).code).to.equal('SM_FORM_INVALID');
  });

  it('escapes every value it writes into markup', () => {
    const form = eventForm(Task, 'create', { title: '"><script>alert(1)</script>' });
    const markup = html`<form ${form.attrs}>${form.input('title')}</form>`.value;
    expect(markup).to.not.include('<script>');
    expect(attributeOf(markup, 'value')).to.equal('"><script>alert(1)</script>');
  });
});

describe('a form posted to a route', () => {
  it('posts its own inputs as form data with its key, and shows each field message', () => {
    const form = routeForm('/auth/login', ['email', 'password']);
    expect(form.key).to.equal('auth_login');
    expect(attributeOf(form.attrs.value, 'data-on-submit__prevent')).to.equal("@post('/auth/login', {contentType: 'form', headers: {'SM-Form': 'auth_login'}})");
    expect(form.signals).to.deep.equal({ sm: { forms: { auth_login: { errors: { email: '', password: '' }, busy: false } } } });
    expect(attributeOf(form.error('password').value, 'data-text')).to.equal('$sm.forms.auth_login.errors.password');
    expect(refusal(() => form.error('name' as 'email')).code).to.equal('SM_FORM_INVALID');
    expect(refusal(() => routeForm('//evil.example/x', [])).code).to.equal('SM_FORM_INVALID');
  });
});

describe('the form wire contract', () => {
  it('makes keys Datastar accepts (no double underscore, a letter first)', () => {
    expect(formKey('/auth/login')).to.equal('auth_login');
    expect(formKey('todo__create')).to.equal('todo_create');
    expect(formKey('9-x')).to.equal('x');
    expect(formKey('---')).to.equal('form');
  });

  it('reads a form key and a validate-only request from headers, refusing malformed ones', () => {
    expect(requestFormKey('todo_create')).to.equal('todo_create');
    for (const bad of ['__proto__', 'a__b', '_x', 'a b', '', 'x'.repeat(121)]) expect(requestFormKey(bad), bad).to.equal(undefined);
    expect(validateRequest('true')).to.equal('all');
    expect(validateRequest('title, rank,bad name')).to.deep.equal(['title', 'rank']);
    expect(validateRequest('false')).to.equal(undefined);
    expect(validateRequest(undefined)).to.equal(undefined);
  });

  it('keeps the page-level message only for errors no input shows', () => {
    expect(pageMessage('Bad', { title: 'x' }, ['title', 'done'])).to.equal('');
    expect(pageMessage('Bad', { title: 'x', other: 'y' }, ['title'])).to.equal('Bad');
    expect(pageMessage('Sign in', undefined, ['title'])).to.equal('Sign in');
  });
});

describe('feedback encoders', () => {
  it('write a toast as a signal and a redirect as a navigation, on safe lines in both dialects', () => {
    const patches = feedbackPatches([
      { kind: 'toast', level: 'success', text: 'Saved\r\n</script>' },
      { kind: 'redirect', url: '/a?b=</script>' },
      { kind: 'script', code: 'one()\ntwo()' },
    ]);
    expect(patches[0]).to.deep.include({ kind: 'signals' });
    expect(patches[1]).to.deep.equal({ kind: 'script', script: 'window.location.assign("/a?b=\\u003c/script>")' });
    for (const encoder of [beta11Encoder, v1Encoder]) {
      const text = patches.map((patch) => encoder.encode(patch)).join('');
      for (const line of text.split('\n')) expect(line, encoder.dialect).to.not.include('\r');
      expect(text).to.include('one()').and.include('two()');
      expect(text.split('\n').filter((line) => line.includes('two()'))[0]).to.match(/^data: (script|elements) two\(\)/);
    }
  });

  it('quote script values so they cannot end the script element or the line', () => {
    expect(scriptLiteral('</script>\u2028')).to.equal('"\\u003c/script>\\u2028"');
  });

  it('accept only paths on this site for a redirect', () => {
    expect(checkRedirect('/orders/42?tab=1#top')).to.equal('/orders/42?tab=1#top');
    for (const bad of ['https://x.example', '//x.example', '/\\x', 'orders', '/a b', '/a\nb', '', 42]) {
      expect(refusal(() => checkRedirect(bad)).code, String(bad)).to.equal('SM_FEEDBACK_INVALID');
    }
  });
});
