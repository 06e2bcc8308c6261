/**
 * A redis-server of a spec's own on a free port, for faults caused for real: stopping it disturbs
 * no other spec and not the machine's shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './net.js';

const REDIS_SERVER = '/usr/bin/redis-server';

/** A private redis-server: prepared on a port, started, killed and started again on that port. */
export class PrivateRedis {
  #child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  /** True when the redis-server binary is installed. */
  static available(): boolean {
    return existsSync(REDIS_SERVER);
  }

  /** Picks a free port without starting the server (for "starts before Redis is up" specs). */
  static async prepare(): Promise<PrivateRedis> {
    return new PrivateRedis(await freePort());
  }

  /** Picks a free port and starts the server on it. */
  static async start(): Promise<PrivateRedis> {
    const redis = await PrivateRedis.prepare();
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and resolves once it accepts connections. */
  async restart(): Promise<void> {
    const child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${this.port}: ${output}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });
  }

  /** Kills the server (by its own PID) and waits for it to be gone. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/**
 * Starts a private Redis for a mocha hook; without redis-server the spec is pending with the reason
 * printed, and under CI=true it fails.
 */
export async function startPrivateRedis(context: { skip(): void }): Promise<PrivateRedis> {
  if (!PrivateRedis.available()) {
    if (process.env.CI === 'true') throw new Error('redis-server is not installed; CI requires it.');
    console.log('      pending: redis-server is not installed (apt-get install redis-server)');
    context.skip();
  }
  return PrivateRedis.start();
}
