/**
 * @module cli/dev
 * `starmodel dev`: runs the app and restarts it when a file it imports changes (tsx watch).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CommandModule } from './command.js';
import { PACKAGE_ROOT } from './init.js';

export const dev: CommandModule = {
  summary: 'run the app and restart it when a file changes',
  async run({ cwd, err }) {
    const tsxCli = createRequire(join(PACKAGE_ROOT, 'package.json')).resolve('tsx/cli');
    const child = spawn(process.execPath, [tsxCli, 'watch', '--clear-screen=false', join(PACKAGE_ROOT, 'bin/starmodel.js'), 'start'], { cwd, stdio: 'inherit', env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return new Promise((done) => {
      child.on('error', (error) => {
        err.write(`starmodel dev: could not start the watcher: ${error.message}\n`);
        done(1);
      });
      child.on('close', (code) => done(code ?? 0));
    });
  },
};
