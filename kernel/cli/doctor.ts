/**
 * @module cli/doctor
 * `starmodel doctor`: checks what commonly goes wrong and says what to fix.
 */
import { connect } from 'node:net';
import semver from 'semver';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { consoleLogger } from '../logger.js';
import type { CommandModule } from './command.js';

interface Check { readonly ok: boolean | 'warn'; readonly name: string; readonly detail: string }

function reachable(url: string, defaultPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const socket = connect({ host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const doctor: CommandModule = {
  summary: 'check config, secret, services, plugins and Node, and say what to fix',
  async run({ cwd, out }) {
    const checks: Check[] = [];
    const nodeOk = semver.satisfies(process.versions.node, '>=20.19.0');
    checks.push({ ok: nodeOk, name: 'Node.js', detail: nodeOk ? process.versions.node : `${process.versions.node} is too old: install Node 20.19 or newer.` });

    let secret: string | undefined = process.env.STARMODEL_SECRET;
    try {
      const loaded = await loadConfig(cwd);
      checks.push({ ok: true, name: 'config', detail: loaded.file ?? 'none found (defaults apply)' });
      if (typeof loaded.config.secret === 'string') secret = loaded.config.secret;
      const app = await createApp({ dir: cwd, logger: consoleLogger('silent') });
      checks.push({ ok: true, name: 'plugins', detail: app.plan.map((plugin) => `${plugin.name}@${plugin.version}`).join(', ') || 'none' });
      checks.push({ ok: true, name: 'entities', detail: app.kernel.registry.all().map((meta) => meta.name).join(', ') || 'none registered' });
      await app.close();
    } catch (error) {
      checks.push({ ok: false, name: 'config and plugins', detail: error instanceof Error ? error.message : String(error) });
    }

    const production = process.env.NODE_ENV === 'production';
    if (!secret) checks.push({ ok: production ? false : 'warn', name: 'secret', detail: 'STARMODEL_SECRET is not set: sessions end on restart. Set it to 32+ random characters (openssl rand -base64 32).' });
    else if (secret.length < 32) checks.push({ ok: 'warn', name: 'secret', detail: `only ${secret.length} characters: use 32 or more.` });
    else checks.push({ ok: true, name: 'secret', detail: 'set' });

    for (const [variable, port, what] of [['DATABASE_URL', 5432, 'PostgreSQL'], ['REDIS_URL', 6379, 'Redis'], ['MONGO_URL', 27017, 'MongoDB']] as const) {
      const url = process.env[variable];
      if (!url) continue;
      const ok = await reachable(url, port);
      checks.push({ ok, name: what, detail: ok ? `${variable} answers` : `${variable} does not answer: start ${what} or fix the URL.` });
    }

    for (const check of checks) out.write(`${check.ok === true ? '✓' : check.ok === 'warn' ? '!' : '✗'} ${check.name}: ${check.detail}\n`);
    const failed = checks.filter((check) => check.ok === false).length;
    out.write(failed ? `\n${failed} problem(s) to fix.\n` : '\nAll good.\n');
    return failed ? 1 : 0;
  },
};
