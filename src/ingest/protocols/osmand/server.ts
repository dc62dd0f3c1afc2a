// The OsmAnd HTTP server (default port 5055) the Traccar Client app posts to. 200 only once the fix is durable.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { sampleCount } from '../../../domain/index.ts';
import type { DeviceDirectory, DurableSink } from '../types.ts';
import { osmAndToBatch, parseOsmAndRequest } from './request.ts';

export const OSMAND_DEFAULT_PORT = 5055;
const MAX_BODY_BYTES = 64 * 1024;

export interface OsmAndServerOptions {
  directory: DeviceDirectory;
  sink: DurableSink;
  logger: Logger;
  /** On close(), requests still running after this long are cut (default 10 s). */
  closeGraceMs?: number;
  now?: () => number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class OsmAndServer {
  private readonly server: Server;
  private readonly log: Logger;

  constructor(private readonly opts: OsmAndServerOptions) {
    this.log = opts.logger.child({ protocol: 'osmand' });
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.requestTimeout = 30_000;
    this.server.on('error', (e) => this.log.error({ err: e }, 'server error'));
  }

  listen(port = OSMAND_DEFAULT_PORT, host?: string): Promise<AddressInfo> {
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

  /** Stops accepting, lets requests in flight finish, then resolves. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const grace = setTimeout(() => this.server.closeAllConnections(), this.opts.closeGraceMs ?? 10_000);
    return closed.finally(() => clearTimeout(grace));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'GET' && req.method !== 'POST') {
        throw new HttpError(405, 'method_not_allowed', `method ${req.method} not allowed; use GET or POST`);
      }
      const body = req.method === 'POST' ? await readBody(req) : '';
      const parsed = parseOsmAndRequest({
        url: req.url ?? '/',
        contentType: req.headers['content-type'],
        body,
      });
      if (!parsed.ok) throw new HttpError(400, parsed.error.code, parsed.error.message, parsed.error.field);
      const record = parsed.value;
      const device = await this.opts.directory.lookup('osmand', record.externalId).catch((e: unknown) => {
        this.log.error({ err: e }, 'device directory failed');
        throw new HttpError(503, 'unavailable', 'device directory unavailable; retry later');
      });
      if (!device) {
        this.log.warn({ externalId: record.externalId }, 'unknown OsmAnd device id');
        throw new HttpError(
          404,
          'unknown_device',
          `unknown device id '${record.externalId}'; register it first`,
          'id',
        );
      }
      const batch = osmAndToBatch(record, device.deviceId, (this.opts.now ?? Date.now)());
      if (sampleCount(batch) === 0) return send(res, 200, { accepted: 0, duplicate: false });
      const result = await this.opts.sink.write(batch).catch((e: unknown) => {
        this.log.error({ err: e, batchId: batch.batchId }, 'sink write failed');
        throw new HttpError(503, 'unavailable', 'could not store the position; retry later');
      });
      send(res, 200, result);
    } catch (e) {
      if (!(e instanceof HttpError)) {
        this.log.error({ err: e }, 'unexpected error');
        return send(res, 500, { error: { code: 'internal_error', message: 'internal error' } });
      }
      const error =
        e.field === undefined
          ? { code: e.code, message: e.message }
          : { code: e.code, message: e.message, field: e.field };
      if (e.status === 413) res.setHeader('connection', 'close');
      send(res, e.status, { error });
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'too_large', `body over ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createOsmAndServer(opts: OsmAndServerOptions): OsmAndServer {
  return new OsmAndServer(opts);
}
