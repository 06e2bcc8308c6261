/**
 * A TCP proxy on 127.0.0.1 in front of a real service (PostgreSQL, Redis), so a spec can take the
 * service away from the app for real (every connection cut, new ones refused) and bring it back,
 * without touching the service other developers share.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** Cuts every open connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on a free port that forwards to `host:port`. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const handle = (client: Socket) => {
    const upstream = connect(port, host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  };
  const listen = (server: Server, at: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  let server = createServer(handle);
  const proxyPort = await listen(server, 0);
  const stop = () => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  return {
    port: proxyPort,
    cut: stop,
    restore: async () => {
      if (server.listening) return;
      server = createServer(handle);
      await listen(server, proxyPort);
    },
    close: stop,
  };
}
