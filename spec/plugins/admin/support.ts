/**
 * Shared set-up for the admin specs: an in-process app (an app folder with no dependencies, so
 * only the plugins named here by path load: the web plugin, the admin, and as asked the auth,
 * SQL and panel plugins), a browser stand-in that keeps its cookie, and small HTML readers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type App, type EntityClass, type Logger } from '../../../kernel/index.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
export const APP_DIR = here('./fixtures/app');
export const ADMIN_PLUGIN = here('../../../plugins/admin');
export const KOA_PLUGIN = here('../../../plugins/koa');
export const AUTH_PLUGIN = here('../../../plugins/auth');
export const KNEX_PLUGIN = here('../../../plugins/knex');
export const PANEL_PLUGIN = here('./fixtures/panel-plugin');
export const JOBS_PLUGIN = here('../../../plugins/jobs');

/** The development admin the auth plugin seeds (see plugins/auth/README.md). */
export const DEV_ADMIN = { email: 'admin@starmodel.dev', password: 'starmodel-dev-admin' };

/** A logger that keeps every line (and prints nothing), so specs can read what was logged. */
export function memoryLogger(lines: string[] = [], prefix = 'starmodel'): Logger & { lines: string[] } {
  const write = (level: string) => (message: string) => {
    lines.push(`${level} [${prefix}] ${message}`);
  };
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (name) => memoryLogger(lines, name) };
}

/** What to load. */
export interface AdminAppOptions {
  readonly entities: EntityClass[];
  /** Options of the admin plugin. */
  readonly admin?: Record<string, unknown>;
  /** Load the auth plugin (users and sessions in memory) with these options. */
  readonly auth?: Record<string, unknown> | false;
  /** Load the SQL plugin on a fresh SQLite file. */
  readonly sql?: boolean;
  /** Load the spec panel plugin with these options. */
  readonly panel?: Record<string, unknown> | false;
  /** Load the jobs plugin with its in-process queue. */
  readonly jobs?: boolean;
  /** NODE_ENV while the app is created and started. */
  readonly nodeEnv?: string;
}

/** A started app. */
export interface AdminApp {
  readonly app: App;
  readonly url: string;
  readonly logs: string[];
  client(headers?: Record<string, string>): Client;
  close(): Promise<void>;
}

/** Starts an app listening on 127.0.0.1 on a free port. */
export async function startAdminApp(options: AdminAppOptions): Promise<AdminApp> {
  const folder = options.sql ? mkdtempSync(join(tmpdir(), 'starmodel-admin-')) : undefined;
  const plugins: Record<string, Record<string, unknown>> = {
    [KOA_PLUGIN]: { port: 0, host: '127.0.0.1' },
    [ADMIN_PLUGIN]: { ...options.admin },
  };
  if (options.auth) plugins[AUTH_PLUGIN] = { userStore: 'memory', limits: { loginPerAddress: { max: 1000, windowSeconds: 900 } }, ...options.auth };
  if (folder) plugins[KNEX_PLUGIN] = { filename: join(folder, 'admin.sqlite') };
  if (options.panel) plugins[PANEL_PLUGIN] = { ...options.panel };
  if (options.jobs) plugins[JOBS_PLUGIN] = { redis: false };
  const logger = memoryLogger();
  const previousEnv = process.env.NODE_ENV;
  if (options.nodeEnv !== undefined) process.env.NODE_ENV = options.nodeEnv;
  let app: App;
  try {
    app = await createApp({ dir: APP_DIR, ignoreConfigFile: true, entities: options.entities, logger, config: { secret: 'spec-secret-0123456789abcdef', plugins } });
    await app.start().catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  } catch (error) {
    if (folder) rmSync(folder, { recursive: true, force: true });
    throw error;
  } finally {
    if (options.nodeEnv !== undefined) {
      if (previousEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = previousEnv;
    }
  }
  const url = app.kernel.service('web')?.url() ?? '';
  return {
    app, url, logs: logger.lines,
    client: (headers = {}) => new Client(url, headers),
    close: async () => {
      await app.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** One browser: sends its cookie, keeps what the server sets, asks for HTML unless told otherwise. */
export class Client {
  cookie = '';

  constructor(readonly url: string, private readonly headers: Record<string, string> = {}) {}

  async request(method: string, path: string, options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'text/html', ...this.headers, ...options.headers };
    if (this.cookie) headers.cookie = this.cookie;
    let body: string | undefined;
    if (options.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(this.url + path, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      if (pair.startsWith('sm.sid=')) this.cookie = pair;
    }
    return response;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('GET', path, { headers });
  }

  /** GET, expecting 200; resolves with the HTML. */
  async page(path: string): Promise<string> {
    const response = await this.get(path);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 400)}`);
    return text;
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('POST', path, { form, headers });
  }

  /** Signs in through the auth plugin's JSON route. */
  async signIn(email: string, password: string): Promise<void> {
    const response = await this.request('POST', '/auth/login', { json: { email, password }, headers: { Accept: 'application/json' } });
    if (response.status !== 200) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  }
}

/** HTML entities back to text. */
export function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&amp;/g, '&');
}

/** The visible text of some HTML (tags dropped, whitespace collapsed). */
export function textOf(markup: string): string {
  return decode(markup.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** One row of a records table: the record id and each field cell's text. */
export interface TableRow { readonly id: string; readonly cells: Record<string, string> }

/** The rows of the records table on a page (or in a fragment). */
export function tableRows(markup: string): TableRow[] {
  return [...markup.matchAll(/<tr id="admin-row-([0-9a-f]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((match) => ({
    id: Buffer.from(match[1]!, 'hex').toString('utf8'),
    cells: Object.fromEntries([...match[2]!.matchAll(/<td data-field="([^"]+)"[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => [cell[1]!, textOf(cell[2]!)])),
  }));
}

/** The message shown under a form control (`f-price`), or undefined. */
export function fieldError(markup: string, controlId: string): string | undefined {
  const match = new RegExp(`<span class="field-error" id="${controlId}-error">([^<]*)</span>`).exec(markup);
  return match ? decode(match[1]!) : undefined;
}

/** The value attribute of an input by id. */
export function inputValue(markup: string, id: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\sid="${id}"[^>]*>`).exec(markup)?.[0];
  const value = tag ? /\svalue="([^"]*)"/.exec(tag)?.[1] : undefined;
  return value === undefined ? undefined : decode(value);
}

/** The id in a `?created=<id>` redirect. */
export function createdId(location: string | null): string {
  const id = new URL(location ?? '', 'http://x').searchParams.get('created');
  if (!id) throw new Error(`expected a redirect with ?created=<id>, got ${location}`);
  return id;
}
