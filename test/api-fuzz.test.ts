// Schema-driven fuzzing of every route in the route table: inputs generated from each route's own schemas (valid,
// and mutated to be invalid), sent as an admin and as a driver. No answer may be a 5xx, and an answer of 4xx must
// have written nothing (the row count of every table unchanged; the auth routes' security audit excepted).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type RouteSpec, routeId, routeTable } from '../src/api/v1/index.ts';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { createEndpoint, webhookKey } from '../src/services/webhooks.ts';
import { type Seed, seed } from './api-seed.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

// biome-ignore lint/suspicious/noExplicitAny: walking arbitrary JSON Schema / OpenAPI documents
type Json = Record<string, any>;
const RUNS = Number(process.env.FUZZ_RUNS ?? 10);
const plain = (s: unknown): Json | null => (s ? (JSON.parse(JSON.stringify(s)) as Json) : null);

/** Values valid for a JSON schema (the subset TypeBox routes use). */
function valid(s: Json): fc.Arbitrary<unknown> {
  if (s.anyOf) return fc.oneof(...(s.anyOf as Json[]).map(valid));
  if ('const' in s) return fc.constant(s.const);
  switch (s.type) {
    case 'string': {
      const minLength = s.minLength ?? 0;
      const maxLength = Math.min(s.maxLength ?? 40, Math.max(minLength, 40));
      if (s.pattern)
        return fc
          .stringMatching(new RegExp(s.pattern))
          .filter((x) => x.length >= minLength && x.length <= (s.maxLength ?? 1e9));
      return fc.string({ minLength, maxLength });
    }
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 4_102_444_800_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valid(s.items ?? {}), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 4, 4),
      });
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Json>;
      const required = (s.required ?? []) as string[];
      const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valid(v)]));
      const rec = fc.record(model, { requiredKeys: required });
      return s.minProperties ? rec.filter((o) => Object.keys(o).length >= s.minProperties) : rec;
    }
    default:
      return fc.jsonValue();
  }
}

const wrongType = fc.oneof(
  fc.string({ maxLength: 3000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
);

/** Mostly-valid values with one thing wrong: a missing or mistyped property, or something else entirely. */
function invalid(s: Json): fc.Arbitrary<unknown> {
  if (s.type !== 'object' || !s.properties) return fc.oneof(wrongType, valid(s));
  const keys = Object.keys(s.properties as Json);
  return fc.oneof(
    fc.tuple(valid(s), fc.constantFrom(...keys), wrongType).map(([o, k, v]) => ({ ...(o as Json), [k]: v })),
    fc.tuple(valid(s), fc.constantFrom(...keys)).map(([o, k]) => {
      const c = { ...(o as Json) };
      delete c[k];
      return c;
    }),
    wrongType,
  );
}

const either = (s: Json | null, none: fc.Arbitrary<unknown>) => (s ? fc.oneof(valid(s), invalid(s)) : none);

/** Path parameters: ids that exist (so handlers run past their lookups) or anything at all. */
function pathParam(pool: string[], destructive: boolean): fc.Arbitrary<string> {
  const any = fc.string({ minLength: 1, maxLength: 120 });
  return destructive ? any : fc.oneof(fc.constantFrom(...pool), any);
}

interface Req {
  url: string;
  body: unknown;
}

function requests(spec: RouteSpec, pool: string[]): fc.Arbitrary<Req> {
  const names = (spec.url.match(/:([A-Za-z0-9_]+)/g) ?? []).map((n) => n.slice(1));
  const params = fc.tuple(...names.map(() => pathParam(pool, spec.method === 'DELETE')));
  const query = either(
    plain(spec.schema?.querystring),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 2 }),
  );
  const bodySchema = plain(spec.schema?.body);
  const body =
    spec.method === 'GET'
      ? fc.constant(undefined)
      : either(bodySchema, fc.option(fc.jsonValue(), { nil: undefined }));
  return fc.tuple(params, query, body).map(([ps, q, b]) => {
    let i = 0;
    const path = spec.url.replace(/:([A-Za-z0-9_]+)/g, () => encodeURIComponent(ps[i++]!));
    const qs = new URLSearchParams();
    if (q && typeof q === 'object' && !Array.isArray(q))
      for (const [k, v] of Object.entries(q as Json))
        qs.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    // Live streams answer a snapshot and close with once=1; without it they would stream for ever.
    if (spec.url.startsWith('/v1/live/')) qs.set('once', '1');
    const s = qs.toString();
    return { url: s ? `${path}?${s}` : path, body: b };
  });
}

const { targets, missing } = pgTargets();
if (targets.length === 0) test.skip(`API fuzzing: ${missing.join('; ')}`, () => {});

for (const target of targets.slice(0, 1)) {
  describe('API fuzzing from the route schemas', () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    let fx: Seed;
    let countSql: string;
    const pool: string[] = [];

    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, randomBytes(32).toString('hex'));
      fx = await seed(t);
      const ep = await createEndpoint(t.db, await webhookKey(t.db, null), {
        tenantId: fx.tenants.a,
        url: 'http://127.0.0.1:9/',
        eventTypes: ['trip.completed'],
      });
      const { rows: keys } = await t.db.query<{ id: string }>('SELECT id FROM api_keys LIMIT 3');
      pool.push(...Object.values(fx.drivers), ...Object.values(fx.trips), ep.id, ...keys.map((k) => k.id));
      const { rows } = await t.db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
      );
      countSql = `SELECT json_build_object(${rows
        .map((r) => `'${r.name}', (SELECT count(*) FROM "${r.name}")`)
        .join(', ')}) AS c`;
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    const counts = async (): Promise<Record<string, number>> =>
      (await t.db.query<{ c: Record<string, number> }>(countSql)).rows[0]!.c;

    test('no route answers 5xx, and no refused request writes anything', async (ctx) => {
      const callers = [
        ['admin', `Bearer ${fx.accounts.adminA.accessToken}`],
        ['driver', `Bearer ${fx.accounts.driverA1.accessToken}`],
      ] as const;
      const failures: string[] = [];
      let sent = 0;
      const statuses = new Map<number, number>();
      for (const spec of routeTable) {
        for (const [who, auth] of callers) {
          await fc
            .assert(
              fc.asyncProperty(requests(spec, pool), async (r) => {
                const before = await counts();
                const res = await t.app.inject({
                  method: spec.method,
                  url: r.url,
                  headers: { authorization: auth },
                  ...(r.body !== undefined
                    ? {
                        payload: JSON.stringify(r.body),
                        headers: { authorization: auth, 'content-type': 'application/json' },
                      }
                    : {}),
                });
                sent++;
                statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
                const where = `${routeId(spec)} as ${who}: ${r.url} ${JSON.stringify(r.body)?.slice(0, 200)}`;
                if (res.statusCode >= 500) {
                  failures.push(`${where} → ${res.statusCode} ${res.body.slice(0, 200)}`);
                  return false;
                }
                if (res.statusCode >= 400) {
                  const now = await counts();
                  if (spec.access === 'public') {
                    // Failed logins are security events: their audit rows are the point.
                    delete now.audit_log;
                    delete before.audit_log;
                  }
                  if (JSON.stringify(now) !== JSON.stringify(before)) {
                    const diff = Object.keys(now).filter((k) => now[k] !== before[k]);
                    failures.push(`${where} → ${res.statusCode} but wrote to ${diff.join(', ')}`);
                    return false;
                  }
                }
                return true;
              }),
              { numRuns: RUNS, endOnFailure: true },
            )
            .catch(() => {});
        }
      }
      ctx.diagnostic(`${sent} requests; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      assert.deepEqual(failures, [], `${failures.length} failures`);
      assert.ok(sent >= routeTable.length * 2 * RUNS, `sent ${sent}`);
      // The generators reach both sides: accepted requests and refused ones.
      const ok = [...statuses].filter(([s]) => s < 300).reduce((a, [, n]) => a + n, 0);
      const refused = [...statuses].filter(([s]) => s >= 400).reduce((a, [, n]) => a + n, 0);
      assert.ok(ok > sent / 10 && refused > sent / 10, `statuses: ${JSON.stringify([...statuses])}`);
    });
  });
}
