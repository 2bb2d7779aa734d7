/**
 * A TCP proxy a test can cut: clients connect to `port`, and every connection is piped to
 * `target`. `cut()` drops every open connection and refuses new ones (they are accepted and closed at
 * once, as a firewall reset would) until `restore()`. The server behind it is never touched, so a suite
 * can make a shared PostgreSQL (or a broker) unreachable for one client only. `cutAt()` cuts at a chosen
 * moment of a conversation instead: when a client sends certain bytes (a COMMIT, say).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * Where `cutAt` cuts: `before` drops the matching bytes with the connections (the server never sees them);
 * `after` hands them to the server and drops the client's side at once, so the server acts on them but its
 * reply never reaches the client.
 */
export type CutPoint = 'before' | 'after';

export interface TcpProxy {
  /** The port clients connect to (on 127.0.0.1). */
  readonly port: number;
  /** Connections piped so far (a reconnecting client shows up here). */
  readonly connections: number;
  cut(): void;
  /**
   * Cuts (as `cut()`) when a client next sends a chunk that contains `bytes`, at `point`; with `following`,
   * only on a connection that has sent `following` before (an event id, so that the cut falls on the COMMIT
   * of the transaction that wrote it and not on another one). Resolves once it has cut.
   */
  cutAt(bytes: string, point: CutPoint, following?: string): Promise<void>;
  restore(): void;
  close(): Promise<void>;
}

interface Trap {
  bytes: Buffer;
  point: CutPoint;
  following?: Buffer;
  /** Connections that have sent `following`. */
  primed: WeakSet<Socket>;
  sprung(): void;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  // server sides of connections cut `after`, left to take the server's reply (see cutAt)
  const lingering = new Set<Socket>();
  let cut = false;
  let connections = 0;
  let trap: Trap | undefined;
  const cutAll = () => {
    cut = true;
    for (const socket of open) socket.destroy();
    open.clear();
  };
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    connections++;
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (chunk: Buffer) => {
      if (trap?.following && chunk.includes(trap.following)) trap.primed.add(client);
      const sprung =
        trap && (!trap.following || trap.primed.has(client)) && chunk.includes(trap.bytes) ? trap : undefined;
      if (!sprung) {
        if (!upstream.write(chunk)) client.pause();
        return;
      }
      trap = undefined;
      if (sprung.point === 'after') {
        // the server gets the bytes and answers into a connection whose client is already gone
        client.off('close', close).off('error', close);
        upstream.unpipe(client);
        upstream.write(chunk);
        upstream.once('data', () => upstream.destroy());
        upstream.once('close', () => lingering.delete(upstream));
        open.delete(upstream);
        lingering.add(upstream);
        client.destroy();
      }
      cutAll();
      sprung.sprung();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get connections() {
      return connections;
    },
    cut: cutAll,
    cutAt(bytes, point, following) {
      return new Promise<void>((resolve) => {
        trap = {
          bytes: Buffer.from(bytes),
          point,
          following: following === undefined ? undefined : Buffer.from(following),
          primed: new WeakSet(),
          sprung: resolve,
        };
      });
    },
    restore() {
      cut = false;
    },
    async close() {
      cutAll();
      for (const socket of lingering) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
