/**
 * @module testing/services
 * Finding the external services specs need (PostgreSQL, Redis, MongoDB). A spec whose service is
 * missing is pending with the reason printed; under `CI=true` it fails instead.
 */
import { connect } from 'node:net';

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The URL of a service for a spec: the environment variable if set, else the default local URL
 * when something answers on its port. Returns undefined when absent, after marking the calling
 * mocha context pending with the reason, or throws under `CI=true`.
 */
export async function serviceUrl(
  context: { skip(): void },
  service: { env: string; fallback: string; what: string },
): Promise<string | undefined> {
  const url = process.env[service.env] ?? service.fallback;
  const parsed = new URL(url);
  const ok = await reachable(parsed.hostname, Number(parsed.port));
  if (ok) return url;
  const reason = `${service.what} is not reachable at ${parsed.host} (set ${service.env} to point at one)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it.`);
  console.log(`      pending: ${reason}`);
  context.skip();
  return undefined;
}
