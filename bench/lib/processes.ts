/**
 * @module bench/processes
 * Starts servers and drivers as their own processes (`node --import tsx <script>`), raising the
 * open-file limit to its hard limit first (fan-out opens thousands of sockets), and stops exactly
 * the processes it started, by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const started = new Set<ChildProcess>();

/** Kills every process this module started and that still runs (on a failure or Ctrl-C). */
export function killStarted(): void {
  for (const child of started) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
}

function spawnNode(script: string, args: readonly string[], env: Record<string, string>, nodeArgs: readonly string[]): ChildProcess {
  const quoted = [...nodeArgs, '--import', 'tsx', script, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  // `exec` keeps the PID: the shell becomes node, so stopping the PID stops the server itself.
  const child = spawn('/bin/sh', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec '${process.execPath}' ${quoted}`], {
    cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** A running server process. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  output(): string;
  /** SIGTERM (so a `--cpu-prof` profile is written), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Starts a server script with PORT=0; resolves once it printed "listening on <url>". */
export function startServer(script: string, env: Record<string, string> = {}, nodeArgs: readonly string[] = [], timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawnNode(script, [], { PORT: '0', NODE_ENV: 'development', ...env }, ['--expose-gc', ...nodeArgs]);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening:\n${output}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      // Keep draining (and remembering) its output so the pipe never fills.
      const keep = (more: Buffer) => { output += more.toString(); };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      resolve({
        url: match[1]!, pid: child.pid!, output: () => output,
        stop: () => new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(force);
            done();
          });
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Runs a driver script to its end; resolves with its `RESULT <json>` line, rejects with its output when it fails. */
export function runDriver<T>(script: string, config: unknown, timeoutMs = 120_000): Promise<T> {
  const child = spawnNode(script, [JSON.stringify(config)], {}, []);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as T);
      else reject(new Error(`${script} failed (exit ${code}):\n${stderr.trim() || stdout.trim()}`));
    });
  });
}
