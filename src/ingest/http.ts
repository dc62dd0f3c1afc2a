// POST /v1/ingest (DESIGN §3): JSON or NDJSON, device bearer token, all-or-nothing per request, 202 once durable.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestBatchV1 } from '../domain/index.ts';
import type { PlatformMetrics } from '../ops/metrics.ts';
import type { DeviceRecord } from '../store/devices.ts';
import type { Gateway, IncomingBatch } from './gateway.ts';
import { toSensorBatch, validateV1 } from './v1.ts';

export interface IngestRouteDeps {
  gateway: Gateway;
  metrics: PlatformMetrics;
  authenticate(token: string): Promise<DeviceRecord | null>;
  /** Per-device request limit (token bucket, per process); absent → unlimited. */
  limitDevice?(deviceId: string): DeviceRateVerdict | null;
}

export interface DeviceRateVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetS: number;
  retryAfterS: number;
}

type Problem = {
  status: number;
  code: string;
  message: string;
  field?: string;
  headers?: Record<string, string>;
};

function problem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.headers) reply.headers(p.headers);
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send({
      type: `https://openubi.dev/problems/${p.code}`,
      title: p.message,
      status: p.status,
      code: p.code,
      field: p.field,
    });
}

/** Parses the body (kept as text by this scope's parsers) into values with their JSON text; errors name the line. */
function bodyValues(
  req: FastifyRequest,
): { ok: true; values: Array<[unknown, string]> } | { ok: false; p: Problem } {
  const body = typeof req.body === 'string' ? req.body : '';
  const ndjson = (req.headers['content-type'] ?? '').startsWith('application/x-ndjson');
  const lines = ndjson ? body.split('\n') : [body];
  const values: Array<[unknown, string]> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      values.push([JSON.parse(line), line]);
    } catch (e) {
      const where = ndjson ? `line ${i + 1}` : 'body';
      return {
        ok: false,
        p: {
          status: 400,
          code: 'malformed_json',
          message: `${where}: ${(e as Error).message}`,
          field: where,
        },
      };
    }
  }
  if (values.length === 0) {
    return { ok: false, p: { status: 400, code: 'empty_body', message: 'no batch in the body' } };
  }
  return { ok: true, values };
}

async function authenticateRequest(
  req: FastifyRequest,
  deps: IngestRouteDeps,
): Promise<{ ok: true; device: DeviceRecord } | { ok: false; p: Problem }> {
  const h = req.headers.authorization;
  const token = h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
  let device: DeviceRecord | null = null;
  try {
    device = token ? await deps.authenticate(token) : null;
  } catch {
    // The credential store is unreachable (database restarting): the device keeps its data and retries.
    return {
      ok: false,
      p: { status: 503, code: 'unavailable', message: 'storage unavailable; retry shortly' },
    };
  }
  if (!device) {
    return {
      ok: false,
      p: {
        status: 401,
        code: 'unauthorized',
        message: 'a valid device token is required (Authorization: Bearer …)',
      },
    };
  }
  const v = deps.limitDevice?.(device.id);
  if (v && !v.allowed) {
    return {
      ok: false,
      p: {
        status: 429,
        code: 'rate_limited',
        message: `this device sends too often (${v.limit} requests a minute); retry in ${v.retryAfterS} s`,
        headers: {
          'retry-after': String(v.retryAfterS),
          'ratelimit-limit': String(v.limit),
          'ratelimit-remaining': String(v.remaining),
          'ratelimit-reset': String(v.resetS),
        },
      },
    };
  }
  return { ok: true, device };
}

/** Authenticates and validates a whole request: either every batch is good or none is stored. */
async function parseRequest(
  req: FastifyRequest,
  deps: IngestRouteDeps,
): Promise<{ ok: true; batches: IncomingBatch[] } | { ok: false; p: Problem }> {
  const auth = await authenticateRequest(req, deps);
  if (!auth.ok) return auth;
  const parsed = bodyValues(req);
  if (!parsed.ok) return parsed;
  const now = Date.now();
  const batches: IncomingBatch[] = [];
  for (let i = 0; i < parsed.values.length; i++) {
    const where = parsed.values.length > 1 ? `batch ${i + 1}: ` : '';
    const [value, rawJson] = parsed.values[i]!;
    const r = validateV1(value, now);
    if (!r.ok) {
      return {
        ok: false,
        p: { status: 400, code: r.error.code, message: where + r.error.message, field: r.error.field ?? '' },
      };
    }
    const b: IngestBatchV1 = r.value;
    if (b.deviceId !== auth.device.id) {
      return {
        ok: false,
        p: {
          status: 403,
          code: 'wrong_device',
          message: `${where}deviceId '${b.deviceId}' does not belong to this token (it is '${auth.device.id}')`,
          field: 'deviceId',
        },
      };
    }
    batches.push({ ...toSensorBatch(b, now), rawJson });
  }
  return { ok: true, batches };
}

export function registerIngestRoutes(root: FastifyInstance, deps: IngestRouteDeps): void {
  // An encapsulated scope: its parsers keep bodies as text (the batch's own JSON is what goes on the bus),
  // without changing how the rest of the API parses JSON.
  root.register(async (app) => {
    const asText = (_req: unknown, body: string | Buffer, done: (e: Error | null, v?: unknown) => void) =>
      done(null, body);
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, asText);
    app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, asText);

    app.post('/v1/ingest', async (req, reply) => {
      const r = await parseRequest(req, deps);
      if (!r.ok) {
        deps.metrics.rejects.inc({ reason: r.p.code });
        if (r.p.status === 503) {
          deps.metrics.errors.inc({ kind: 'ingest_unavailable' });
          reply.header('Retry-After', '2');
        }
        return problem(reply, r.p);
      }
      const res = await deps.gateway.accept(r.batches);
      if (!res.ok) {
        if (res.error.code === 'unavailable') deps.metrics.errors.inc({ kind: 'ingest_unavailable' });
        reply.header('Retry-After', String(res.error.retryAfterS));
        return problem(reply, {
          status: res.error.code === 'overloaded' ? 429 : 503,
          code: res.error.code,
          message: res.error.message,
        });
      }
      const body: Record<string, unknown> = { accepted: res.accepted, duplicate: res.duplicate };
      if (r.batches.length > 1) body.batches = res.batches;
      return reply.code(202).send(body);
    });

    // Same parsing, authentication and validation, nothing stored: for SDK developers, and the ingest ceiling benchmark.
    app.post('/v1/ingest/dry-run', async (req, reply) => {
      const r = await parseRequest(req, deps);
      if (!r.ok) return problem(reply, r.p);
      let accepted = 0;
      for (const b of r.batches)
        accepted += (b.gps?.t.length ?? 0) + (b.imu?.t.length ?? 0) + (b.phone?.length ?? 0);
      return reply.code(200).send({ valid: true, batches: r.batches.length, samples: accepted });
    });
  });
}
