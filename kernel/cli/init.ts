/**
 * @module cli/init
 * `starmodel init <dir>`: scaffolds an app that runs with `npm install && npm start`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from './command.js';
import { appFiles } from './templates.js';

/** The folder this starmodel package lives in (its plugins are beside it in `plugins/`). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `npm install` in `dir`, streaming its output; resolves with the exit code. */
function npmInstall(dir: string, out: NodeJS.WritableStream): Promise<number> {
  return new Promise((done) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => out.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => out.write(chunk));
    child.on('close', (code) => done(code ?? 1));
  });
}

export const init: CommandModule = {
  summary: 'scaffold a new app in <dir> (add --install to run npm install)',
  usage: 'starmodel init <dir> [--install] [--force]',
  async run({ argv, cwd, out, err }) {
    const target = argv.find((arg) => !arg.startsWith('--'));
    if (!target) {
      err.write('starmodel init: name the folder for the new app, e.g. "starmodel init my-app".\n');
      return 2;
    }
    const dir = resolve(cwd, target);
    if (existsSync(dir) && readdirSync(dir).length > 0 && !argv.includes('--force')) {
      err.write(`starmodel init: ${dir} is not empty. Pick a new folder, or add --force to write into it.\n`);
      return 1;
    }
    const name = basename(dir).toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'starmodel-app';
    // StarModel is not on the public registry: the new app links this installation's packages.
    const files = appFiles(name, { kernel: `file:${PACKAGE_ROOT}`, koa: `file:${join(PACKAGE_ROOT, 'plugins/koa')}`, knex: `file:${join(PACKAGE_ROOT, 'plugins/knex')}` });
    for (const [file, text] of Object.entries(files)) {
      const path = join(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      out.write(`  created ${file}\n`);
    }
    if (argv.includes('--install')) {
      out.write('Installing dependencies (npm install)...\n');
      const code = await npmInstall(dir, out);
      if (code !== 0) {
        err.write(`starmodel init: npm install failed (exit ${code}). Fix the problem above, then run "npm install" in ${dir}.\n`);
        return code;
      }
    }
    out.write(`\nDone. Next:\n  cd ${target}\n${argv.includes('--install') ? '' : '  npm install\n'}  npm start     # http://127.0.0.1:3000\n  npm test\n`);
    return 0;
  },
};
