/**
 * Shared set-up for the auth specs: an in-process app with the web plugin, the auth plugin (by
 * path) and, for `userStore: 'sql'`, the SQL plugin on a SQLite file of its own; and a tiny
 * browser stand-in that keeps its session cookie between requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleLogger, createApp, type EntityClass } from '../../../kernel/index.js';
import type { WebApp } from '../../support/web-app.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
export const AUTH_PLUGIN = fileURLToPath(new URL('../../../plugins/auth', import.meta.url));
export const KNEX_PLUGIN = fileURLToPath(new URL('../../../plugins/knex', import.meta.url));
export const REDIS_PLUGIN = fileURLToPath(new URL('../../../plugins/redis', import.meta.url));

/** Which store keeps users and sessions in a spec run. */
export type UserStoreKind = 'memory' | 'sql';

/** A started app plus what it made on disk. */
export interface AuthApp extends WebApp {
  /** A new client with no cookie yet. */
  client(headers?: Record<string, string>): Client;
}

/**
 * Per-address limits roomy enough for a spec file (every request comes from 127.0.0.1); the
 * per-account sign-in limit keeps its default.
 */
const SPEC_LIMITS = { loginPerAddress: { max: 1000, windowSeconds: 900 }, signupPerAddress: { max: 1000, windowSeconds: 3600 } };

/** Starts an app with the auth plugin; `sql` puts users and sessions in a fresh SQLite file. */
export async function startAuthApp(entities: EntityClass[], store: UserStoreKind, authOptions: Record<string, unknown> = {}, morePlugins: Record<string, Record<string, unknown>> = {}): Promise<AuthApp> {
  const folder = store === 'sql' && !morePlugins[KNEX_PLUGIN] ? mkdtempSync(join(tmpdir(), 'starmodel-auth-')) : undefined;
  const limits = { ...SPEC_LIMITS, ...(authOptions.limits as Record<string, unknown> | undefined) };
  const plugins: Record<string, Record<string, unknown>> = { [AUTH_PLUGIN]: { userStore: store, ...authOptions, limits }, ...morePlugins };
  if (folder) plugins[KNEX_PLUGIN] = { filename: join(folder, 'auth.sqlite') };
  let web: WebApp;
  try {
    // The plugins by path, so these specs run whether or not the app depends on them by name.
    const app = await createApp({
      dir: root, ignoreConfigFile: true, entities, logger: consoleLogger('error'),
      // The operations plugin (when installed) logs every request; it has no part in these specs.
      config: { secret: 'spec-secret-0123456789abcdef', plugins: { ...plugins, '@starmodel/koa': { port: 0, host: '127.0.0.1' }, '@starmodel/ops': false } },
    });
    await app.start().catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
    const service = app.kernel.service('web');
    if (!service) throw new Error('the web plugin did not provide its service');
    web = { app, web: service, url: service.url() ?? '', close: () => app.close() };
  } catch (error) {
    if (folder) rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    ...web,
    client: (headers = {}) => new Client(web.url, headers),
    close: async () => {
      await web.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** One browser: sends its cookie, keeps what the server sets. */
export class Client {
  cookie = '';

  constructor(readonly url: string, private readonly headers: Record<string, string> = {}) {}

  /** The session cookie's value (`<id>.<signature>`). */
  get session(): string {
    return this.cookie.replace(/^sm\.sid=/, '');
  }

  async request(method: string, path: string, options: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...this.headers, ...options.headers };
    if (this.cookie) headers.cookie = this.cookie;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(this.url + path, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      if (pair.startsWith('sm.sid=')) this.cookie = pair;
    }
    return response;
  }

  post(path: string, json: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('POST', path, { json, headers });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('GET', path, { headers });
  }

  /** Signs up; resolves with the JSON answer (throws with the body on failure). */
  async signup(email: string, password: string, name?: string): Promise<{ user: { id: string; email: string; name: string; roles: string[] } }> {
    const response = await this.post('/auth/signup', { email, password, ...(name ? { name } : {}) });
    const body = (await response.json()) as { user: { id: string; email: string; name: string; roles: string[] } };
    if (response.status !== 200) throw new Error(`signup answered ${response.status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Signs in; resolves with the response (status not checked). */
  login(email: string, password: string): Promise<Response> {
    return this.post('/auth/login', { email, password });
  }

  /** Who the server thinks this client is. */
  async me(): Promise<{ id: string; email: string; roles: string[] } | null> {
    return ((await (await this.get('/auth/me')).json()) as { user: { id: string; email: string; roles: string[] } | null }).user;
  }
}

/** A unique email per call, so specs never collide. */
let counter = 0;
export function uniqueEmail(name: string): string {
  counter++;
  return `${name}.${Date.now().toString(36)}.${counter}@example.com`;
}

/** A password that meets the default bounds. */
export const PASSWORD = 'correct horse battery staple';
