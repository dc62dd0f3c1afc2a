// The Teltonika TCP server (default port 5027): accepts devices, hands each socket to a TeltonikaConnection.
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import type { Logger } from 'pino';
import type { DeviceDirectory, DurableSink } from '../types.ts';
import { TeltonikaConnection } from './connection.ts';
import { DEFAULT_MAX_FRAME_BYTES } from './frame-decoder.ts';

export const TELTONIKA_DEFAULT_PORT = 5027;

export interface TeltonikaServerOptions {
  directory: DeviceDirectory;
  sink: DurableSink;
  logger: Logger;
  /** Close a connection silent for this long (default 10 min; FMB devices keep links open ~5 min by default). */
  idleTimeoutMs?: number;
  /** Larger frames are rejected and the connection closed (default 64 KiB). */
  maxFrameBytes?: number;
  /** Refuse connections beyond this many (default: no limit). */
  maxConnections?: number;
  /** On close(), connections still busy after this long are destroyed (default 10 s). */
  closeGraceMs?: number;
  now?: () => number;
}

export interface TeltonikaServerStats {
  connections: number;
  recordsAcked: number;
}

export class TeltonikaServer {
  private readonly server: Server;
  private readonly sockets = new Map<Socket, TeltonikaConnection>();
  private recordsAcked = 0;

  constructor(private readonly opts: TeltonikaServerOptions) {
    const log = opts.logger.child({ protocol: 'teltonika' });
    const deps = {
      directory: opts.directory,
      sink: opts.sink,
      logger: log,
      idleTimeoutMs: opts.idleTimeoutMs ?? 600_000,
      maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      now: opts.now ?? Date.now,
      onRecordsAcked: (n: number) => {
        this.recordsAcked += n;
      },
    };
    this.server = createServer((socket) => {
      this.sockets.set(socket, new TeltonikaConnection(socket, deps));
      socket.once('close', () => this.sockets.delete(socket));
    });
    if (opts.maxConnections !== undefined) this.server.maxConnections = opts.maxConnections;
    this.server.on('error', (e) => log.error({ err: e }, 'server error'));
  }

  listen(port = TELTONIKA_DEFAULT_PORT, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  address(): AddressInfo | null {
    return this.server.address() as AddressInfo | null;
  }

  stats(): TeltonikaServerStats {
    return { connections: this.sockets.size, recordsAcked: this.recordsAcked };
  }

  /** Stops accepting, lets frames in flight be acknowledged, ends every connection, then resolves. */
  close(): Promise<void> {
    const closed = Promise.all([
      new Promise<void>((resolve) => this.server.close(() => resolve())),
      ...[...this.sockets.keys()].map(
        (s) => new Promise<void>((resolve) => s.once('close', () => resolve())),
      ),
    ]).then(() => undefined);
    for (const conn of this.sockets.values()) conn.shutdown('server closing');
    const grace = setTimeout(() => {
      for (const socket of this.sockets.keys()) socket.destroy();
    }, this.opts.closeGraceMs ?? 10_000);
    return closed.finally(() => clearTimeout(grace));
  }
}

export function createTeltonikaServer(opts: TeltonikaServerOptions): TeltonikaServer {
  return new TeltonikaServer(opts);
}
