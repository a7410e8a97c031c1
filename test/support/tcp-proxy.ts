import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP pass-through (e.g. in front of Redis) whose connections a test can cut at once. */
export interface TcpProxy {
  url: string;
  /** Destroys every open connection, both sides; new ones are accepted again. */
  dropAll(): number;
  /** An outage: drops every connection and stops listening (new connections are refused). */
  cutOff(): Promise<void>;
  /** Ends the outage: listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(upstreamHost: string, upstreamPort: number, scheme = 'redis'): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, upstreamHost);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const dropAll = () => {
    const n = open.size;
    for (const socket of [...open]) socket.destroy();
    return n;
  };
  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    dropAll,
    cutOff: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropAll();
      }),
    restore: () => listen(port),
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
