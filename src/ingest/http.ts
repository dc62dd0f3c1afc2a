// POST /v1/ingest (DESIGN §3): JSON or NDJSON, device bearer token, all-or-nothing per request, 202 once durable.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IngestBatchV1, SensorBatch } from '../domain/index.ts';
import type { PlatformMetrics } from '../ops/metrics.ts';
import type { DeviceRecord } from '../store/devices.ts';
import type { Gateway } from './gateway.ts';
import { toSensorBatch, validateV1 } from './v1.ts';

export interface IngestRouteDeps {
  gateway: Gateway;
  metrics: PlatformMetrics;
  authenticate(token: string): Promise<DeviceRecord | null>;
}

type Problem = { status: number; code: string; message: string; field?: string };

function problem(reply: FastifyReply, p: Problem): FastifyReply {
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

/** Parses the body into raw batch values; NDJSON errors name the line. */
function bodyValues(req: FastifyRequest): { ok: true; values: unknown[] } | { ok: false; p: Problem } {
  const body = req.body;
  if (typeof body === 'string') {
    const values: unknown[] = [];
    const lines = body.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        values.push(JSON.parse(line));
      } catch (e) {
        return {
          ok: false,
          p: {
            status: 400,
            code: 'malformed_json',
            message: `line ${i + 1}: ${(e as Error).message}`,
            field: `line ${i + 1}`,
          },
        };
      }
    }
    if (values.length === 0)
      return { ok: false, p: { status: 400, code: 'empty_body', message: 'no batch in the body' } };
    return { ok: true, values };
  }
  if (body === undefined || body === null) {
    return { ok: false, p: { status: 400, code: 'empty_body', message: 'no batch in the body' } };
  }
  return { ok: true, values: [body] };
}

async function authenticateRequest(
  req: FastifyRequest,
  deps: IngestRouteDeps,
): Promise<{ ok: true; device: DeviceRecord } | { ok: false; p: Problem }> {
  const h = req.headers.authorization;
  const token = h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
  const device = token ? await deps.authenticate(token) : null;
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
  return { ok: true, device };
}

/** Authenticates and validates a whole request: either every batch is good or none is stored. */
async function parseRequest(
  req: FastifyRequest,
  deps: IngestRouteDeps,
): Promise<{ ok: true; batches: SensorBatch[] } | { ok: false; p: Problem }> {
  const auth = await authenticateRequest(req, deps);
  if (!auth.ok) return auth;
  const parsed = bodyValues(req);
  if (!parsed.ok) return parsed;
  const now = Date.now();
  const batches: SensorBatch[] = [];
  for (let i = 0; i < parsed.values.length; i++) {
    const where = parsed.values.length > 1 ? `batch ${i + 1}: ` : '';
    const r = validateV1(parsed.values[i], now);
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
    batches.push(toSensorBatch(b, now));
  }
  return { ok: true, batches };
}

export function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  // NDJSON arrives as one string; JSON.parse per line is the fastest parser there is.
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  app.post('/v1/ingest', async (req, reply) => {
    const r = await parseRequest(req, deps);
    if (!r.ok) {
      deps.metrics.rejects.inc({ reason: r.p.code });
      return problem(reply, r.p);
    }
    const res = await deps.gateway.accept(r.batches);
    if (!res.ok) {
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
}
