/**
 * @module @starmodel/koa/events
 * `<METHOD> /<entity>/<event>`: runs an event and answers in the request's mode. Datastar requests
 * get SSE with one signals patch per committed step (generators stream); when the same tab has a
 * live stream open on that entity, the stream delivers the change instead, in order, once.
 */
import type { Context } from 'koa';
import { clearedErrors, emptyErrors, entityTopic, feedbackJson, feedbackPatches, formSignals, formStateOf, namesToValidate, validateRequest, isPlainObject, requestFormKey, StarmodelError, typeTopic, type DispatchInput, type Encoder, type EntityMeta, type EventMeta, type FeedbackItem, type JsonObject, type Kernel, type Step } from 'starmodel';
import { queryArgs, querySignals, readBody } from './body.js';
import { ownOrigin, type OriginCheck } from './guard.js';
import type { LiveRegistry } from './live.js';
import { asStarmodelError, errorSignals, modeOf, respondError, type RequestForm, type ResponseMode } from './respond.js';
import type { RequestState } from './session.js';
import { answerOnce, SseConnection } from './sse.js';

/** What the event handler needs from the web plugin. */
export interface EventRouteDeps {
  readonly kernel: Kernel;
  /** Session and user of a request (runs the request resolvers). */
  readonly requestState: (ctx: Context) => Promise<RequestState>;
  readonly live: LiveRegistry;
  readonly encoder: Encoder;
  readonly bodyLimit: number;
  readonly maxBufferedBytes: number;
  /** Refuses (403) a request a browser sent from another origin (`allowedOrigins` aside). */
  readonly refuseForeign: OriginCheck;
}

/** The tab id a page sends back as the `sm.client` signal. */
export function clientIdOf(signals: unknown): string | undefined {
  const sm = isPlainObject(signals) ? signals.sm : undefined;
  const client = isPlainObject(sm) ? sm.client : undefined;
  return typeof client === 'string' && client.length > 0 && client.length <= 64 ? client : undefined;
}

/** The Koa middleware for one event route. */
export function eventHandler(deps: EventRouteDeps, meta: EntityMeta, eventMeta: EventMeta) {
  // The same for every request of this route: encode it once.
  const errorsReset = errorsResetOf(deps.encoder, meta, eventMeta);
  const owned = eventMeta.args.map((arg) => arg.name);
  return async (ctx: Context & { params?: Record<string, string> }): Promise<void> => {
    const mode = modeOf(ctx);
    let form: SentForm | undefined;
    try {
      // HEAD must never change anything: a GET event only runs for GET.
      if (ctx.method === 'HEAD') throw new StarmodelError('SM_EVENT_METHOD_NOT_ALLOWED', { entity: meta.name, event: eventMeta.name, allowed: eventMeta.method.toUpperCase(), method: 'HEAD' });
      deps.refuseForeign(ctx);
      const state = await deps.requestState(ctx);
      // A GET has no body to read (and no promise to wait for).
      const body = ctx.method === 'GET' ? undefined : await readBody(ctx, deps.bodyLimit);
      const signals = ctx.method === 'GET' || ctx.method === 'DELETE' ? (querySignals(ctx) ?? body) : body;
      const id = ctx.params?.id;
      form = sentForm(ctx, signals, owned);
      // A form's arguments come from its own namespace only: never from the entity's signals, which an earlier answer filled.
      const args = form ? (form.values ?? {}) : signals;
      const input: DispatchInput = id ? { entity: meta.cls, event: eventMeta.name, query: queryArgs(ctx), body: args, untrusted: true, id } : { entity: meta.cls, event: eventMeta.name, query: queryArgs(ctx), body: args, untrusted: true };
      const checking = validateRequest(ctx.get('sm-validate') || undefined);
      if (checking) return answerValidation(ctx, deps, meta, eventMeta, input, checking, mode, form);
      // Optional keys set one by one: object spreads were measurably slow here on Node 20 (S1).
      const context: EventContext = { sessionId: state.sessionId, signals };
      if (state.user) context.user = state.user;
      if (mode === 'datastar') return await streamEvent(ctx, deps, meta, eventMeta, input, context, form ? formDone(deps.encoder, form) : errorsReset, form);
      const result = await deps.kernel.dispatch(input, context);
      if (result.takenOver) {
        ctx.status = result.takenOver.status;
        ctx.body = { accepted: true, by: result.takenOver.by, ...result.takenOver.info, command: result.command };
        return;
      }
      if (mode === 'json') {
        ctx.body = { entity: { type: result.type, id: result.id, version: result.version, signals: result.signals }, patch: result.patch, command: result.command, ...(result.feedback ? { feedback: feedbackJson(result.feedback) } : {}) };
      } else if (result.feedback?.some((item) => item.kind === 'redirect')) {
        // A plain form post follows the event's redirect (the last one wins).
        ctx.status = 303;
        ctx.redirect(feedbackJson(result.feedback).redirect ?? '/');
      } else if (result.elements.length > 0) {
        ctx.type = 'html';
        ctx.body = result.elements.map((element) => element.html).join('\n');
      } else {
        const back = ctx.get('referer');
        ctx.status = 303;
        ctx.redirect(back && new URL(back, ownOrigin(ctx)).origin === ownOrigin(ctx) ? back : '/');
      }
    } catch (error) {
      respondError(ctx, mode, asStarmodelError(error, deps.kernel.log, `${meta.name}.${eventMeta.name}`), meta, deps.encoder, deps.maxBufferedBytes, form);
    }
  };
}

/**
 * A validate-only request (`SM-Validate: true`, or argument names): 200 with the messages those
 * arguments would get, and an empty one for each that is fine. Nothing runs and nothing is saved.
 */
function answerValidation(ctx: Context, deps: EventRouteDeps, meta: EntityMeta, eventMeta: EventMeta, input: DispatchInput, names: 'all' | readonly string[], mode: ResponseMode, form: SentForm | undefined): void {
  const errors = deps.kernel.validate(input, names);
  const checked = { ...clearedErrors(namesToValidate(eventMeta, names)), ...errors };
  ctx.set('Cache-Control', 'no-store');
  if (mode !== 'datastar') {
    ctx.body = { valid: Object.keys(errors).length === 0, errors };
    return;
  }
  const signals: JsonObject = form ? formSignals(form.key, { errors: checked }) : { [meta.namespace]: { errors: checked } };
  ctx.respond = false;
  answerOnce(ctx.res, deps.encoder.encode({ kind: 'signals', signals }));
}

/** The form a request came from: its key (header `SM-Form`), the inputs it owns, and the values it sent. */
interface SentForm extends RequestForm {
  readonly values: JsonObject | undefined;
  readonly initial: JsonObject | undefined;
}

function sentForm(ctx: Context, signals: unknown, owned: readonly string[]): SentForm | undefined {
  const key = requestFormKey(ctx.get('sm-form') || undefined);
  if (!key) return undefined;
  const state = formStateOf(signals, key);
  // Only the form's own inputs go back to their defaults after a success.
  const initial = state?.initial ? Object.fromEntries(Object.entries(state.initial).filter(([name]) => owned.includes(name))) as JsonObject : undefined;
  return { key, owned, values: state?.values, initial };
}

/** What a form is sent after a success: its inputs back to their defaults, its messages and the page's cleared. */
function formDone(encoder: Encoder, form: SentForm): string {
  const state: JsonObject = { errors: clearedErrors(form.owned) };
  if (form.initial) state.values = form.initial;
  return encoder.encode({ kind: 'signals', signals: { sm: { error: { code: '', message: '' }, forms: { [form.key]: state } } } });
}

/** The SSE event that clears the page's error and the messages beside this event's inputs. */
function errorsResetOf(encoder: Encoder, meta: EntityMeta, eventMeta: EventMeta): string {
  const cleared = Object.fromEntries(eventMeta.args.map((arg) => [arg.name, '']));
  return encoder.encode({ kind: 'signals', signals: { sm: { error: { code: '', message: '' } }, ...(eventMeta.args.length > 0 ? { [meta.namespace]: { errors: cleared } } : {}) } });
}

/** True when the page may show an error: its `sm.error`, or a message beside one of this event's inputs (or no signals to tell). */
function showsError(signals: unknown, meta: EntityMeta, eventMeta: EventMeta): boolean {
  if (!isPlainObject(signals)) return true;
  const sm = signals.sm;
  const error = isPlainObject(sm) ? sm.error : undefined;
  if (isPlainObject(error) && typeof error.code === 'string' && error.code !== '') return true;
  const namespace = signals[meta.namespace];
  const errors = isPlainObject(namespace) ? namespace.errors : undefined;
  return isPlainObject(errors) && eventMeta.args.some((arg) => typeof errors[arg.name] === 'string' && errors[arg.name] !== '');
}

/** The dispatch context of an event request (the kernel adds `locals`). */
type EventContext = { sessionId: string; signals: unknown; user?: RequestState['user'] };

async function streamEvent(ctx: Context, deps: EventRouteDeps, meta: EntityMeta, eventMeta: EventMeta, input: DispatchInput, context: EventContext, errorsReset: string, form: SentForm | undefined): Promise<void> {
  const answer = new EventAnswer(ctx, deps, meta, clientIdOf(context.signals), form);
  try {
    const result = await deps.kernel.dispatch(input, context, answer.onStep);
    if (result.takenOver) answer.add(deps.encoder.encode({ kind: 'signals', signals: { sm: { queued: { by: result.takenOver.by, ...result.takenOver.info } } } }));
    // Clear the messages a previous failed attempt left (beside this event's inputs, and the page's), when the page shows one.
    // A form is always answered: its inputs go back to their defaults.
    if (form || showsError(context.signals, meta, eventMeta)) answer.add(errorsReset);
    answer.end();
  } catch (error) {
    answer.fail(asStarmodelError(error, deps.kernel.log, `${meta.name}.${eventMeta.name}`));
  }
}

/**
 * The SSE answer to one event. The last step's events leave with the headers in one write; a
 * generator's earlier steps are streamed as they commit (the stream opens at the first of them).
 * A class rather than closures: no function objects made per request on the hot path.
 */
class EventAnswer {
  #sse: SseConnection | undefined;
  #pending = '';
  /** The kernel's step sink for this answer. */
  readonly onStep: (step: Step) => void;

  constructor(private readonly ctx: Context, private readonly deps: EventRouteDeps, private readonly meta: EntityMeta, private readonly clientId: string | undefined, private readonly form: SentForm | undefined) {
    this.onStep = this.#step.bind(this);
  }

  #step(step: Step): void {
    const change = step.change;
    // Feedback is for this browser only: always in the answer, after the step's changes.
    if (step.feedback.length > 0) this.#feedback.push(...step.feedback);
    if (!change) {
      if (!step.final && this.#feedback.length > 0) this.#sendFeedback();
      return;
    }
    const { deps, clientId } = this;
    // A tab with a live stream on this entity (or, for views, on its type) gets the change there, once.
    const entityLive = clientId !== undefined && deps.live.has(clientId, entityTopic(change.type, change.id));
    const typeLive = clientId !== undefined && deps.live.has(clientId, typeTopic(change.type));
    if (!entityLive && Object.keys(change.patch).length > 0) this.#pending += deps.encoder.encode({ kind: 'signals', signals: { [this.meta.namespace]: change.patch } });
    if (!entityLive && !typeLive) for (const element of change.elements) this.#pending += deps.encoder.encode({ kind: 'elements', ...element });
    if (!step.final) this.#sendFeedback();
    if (!step.final && this.#pending !== '') this.#flush();
  }

  #feedback: FeedbackItem[] = [];

  /** Adds the feedback so far to what is pending. */
  #sendFeedback(): void {
    for (const patch of feedbackPatches(this.#feedback)) this.#pending += this.deps.encoder.encode(patch);
    this.#feedback = [];
  }

  /** Adds encoded events to the answer. */
  add(text: string): void {
    this.#pending += text;
  }

  #flush(): SseConnection {
    if (!this.#sse) {
      this.ctx.respond = false;
      this.#sse = new SseConnection(this.ctx.res, this.deps.maxBufferedBytes);
      this.#sse.start();
    }
    this.#sse.write(this.#pending);
    this.#pending = '';
    return this.#sse;
  }

  /** Sends what is left and ends the answer. */
  end(): void {
    // After the form reset and the cleared messages: a redirect comes last.
    if (this.#feedback.length > 0) this.#sendFeedback();
    if (this.#sse) {
      this.#flush().end();
      return;
    }
    this.ctx.respond = false;
    answerOnce(this.ctx.res, this.#pending);
  }

  /** Ends the answer with an error: alone when nothing was sent, or in-stream after committed steps. */
  fail(failure: StarmodelError): void {
    const { deps, meta } = this;
    if (!this.#sse && this.#pending === '') return respondError(this.ctx, 'datastar', failure, meta, deps.encoder, deps.maxBufferedBytes, this.form);
    const body = failure.toJSON().error;
    const connection = this.#flush();
    const signals = this.form ? errorSignals(failure, meta, this.form) : { sm: { error: { code: body.code, message: body.message } }, ...(body.fields ? { [meta.namespace]: { errors: { ...emptyErrors(meta), ...body.fields } } } : {}) };
    connection.write(deps.encoder.encode({ kind: 'signals', signals: signals as JsonObject }));
    connection.end();
  }
}
