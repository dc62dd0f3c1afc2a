// The OpenAPI 3.1 document: valid against the OpenAPI schema, and every route of the table in it with its
// method, path and query parameters, body and security; served at /v1/openapi.json with the UI at /docs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument } from '../src/api/openapi.ts';
import { type RouteSpec, routeTable } from '../src/api/v1/index.ts';
import { startV1TestApp, type V1TestApp } from '../src/api/v1/testing.ts';
import { freshDatabase, pgTargets, type TestDatabase } from './support/env.ts';

// biome-ignore lint/suspicious/noExplicitAny: walking arbitrary JSON Schema / OpenAPI documents
type Json = Record<string, any>;
const doc = openApiDocument(routeTable) as Json;
const pathOf = (r: RouteSpec) => r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const props = (schema: unknown): string[] => Object.keys((schema as Json | undefined)?.properties ?? {});

describe('OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    const v = new Validator();
    const res = await v.validate(structuredClone(doc));
    assert.deepEqual(res.errors ?? [], [], 'schema errors');
    assert.equal(res.valid, true);
    assert.equal(v.version, '3.1');
    // The validator does reject a broken document (so the check above can fail).
    const broken = structuredClone(doc);
    broken.paths['/v1/me'].get.parameters = [{ name: 'x', in: 'nowhere' }];
    assert.equal((await new Validator().validate(broken)).valid, false);
  });

  test('has every route with its parameters, body, success status and security', () => {
    const ops = new Set<string>();
    for (const r of routeTable) {
      const op = doc.paths[pathOf(r)]?.[r.method.toLowerCase()] as Json | undefined;
      assert.ok(op, `${r.method} ${r.url} is documented`);
      ops.add(op.operationId);
      assert.equal(op.summary, r.summary);
      const params = (op.parameters as Json[]).map((p) => `${p.in}:${p.name}`).sort();
      const want = [
        ...props(r.schema?.params).map((n) => `path:${n}`),
        ...props(r.schema?.querystring).map((n) => `query:${n}`),
      ].sort();
      assert.deepEqual(params, want, `${r.method} ${r.url} parameters`);
      for (const name of r.url.match(/:([A-Za-z0-9_]+)/g) ?? [])
        assert.ok(params.includes(`path:${name.slice(1)}`), `${r.url}: path parameter ${name} declared`);
      assert.equal(Boolean(op.requestBody), Boolean(r.schema?.body), `${r.url} body`);
      assert.ok(op.responses[String(r.status)], `${r.url} documents ${r.status}`);
      assert.ok(op.responses['429'], 'rate limiting documented');
      if (r.access === 'public') assert.deepEqual(op.security, []);
      else {
        assert.ok(op.security.some((s: Json) => 'bearerAuth' in s));
        assert.equal(
          op.security.some((s: Json) => 'apiKey' in s),
          r.access.scope !== null,
          `${r.url}: API keys iff the route takes them`,
        );
        assert.deepEqual(op['x-openubi-access'], { roles: r.access.roles, scope: r.access.scope });
        assert.equal(op.responses['401'].$ref, '#/components/responses/Unauthorized');
      }
    }
    assert.equal(ops.size, routeTable.length, 'operation ids are unique');
  });

  test('describes auth schemes, problem+json errors and pagination', () => {
    assert.equal(doc.openapi, '3.1.0');
    const schemes = doc.components.securitySchemes;
    assert.equal(schemes.bearerAuth.scheme, 'bearer');
    assert.equal(schemes.apiKey.in, 'header');
    assert.ok(doc.components.responses.NotFound.content['application/problem+json']);
    assert.ok(doc.components.responses.TooManyRequests.headers['Retry-After']);
    const trips = doc.paths['/v1/trips'].get as Json;
    const names = (trips.parameters as Json[]).map((p) => p.name);
    for (const n of ['limit', 'cursor', 'from', 'to']) assert.ok(names.includes(n), `GET /v1/trips ${n}`);
    const limit = (trips.parameters as Json[]).find((p) => p.name === 'limit')!;
    assert.equal(limit.required, false);
    assert.equal(limit.schema.maximum, 200);
  });
});

const { targets, missing } = pgTargets();
if (targets.length === 0) test.skip(`OpenAPI served: ${missing.join('; ')}`, () => {});
for (const target of targets.slice(0, 1)) {
  describe('OpenAPI served', () => {
    let tdb: TestDatabase;
    let t: V1TestApp;
    before(async () => {
      tdb = await freshDatabase(target);
      t = await startV1TestApp(tdb.url, randomBytes(32).toString('hex'));
    });
    after(async () => {
      await t?.close();
      await tdb?.drop();
    });

    test('GET /v1/openapi.json answers the document to anyone', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/v1/openapi.json' });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(JSON.parse(r.body), JSON.parse(JSON.stringify(doc)));
    });

    test('/docs is a page whose scripts and styles are served here, not from a CDN', async () => {
      const page = await t.app.inject({ method: 'GET', url: '/docs' });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /text\/html/);
      const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(refs.length >= 3);
      for (const ref of refs) {
        assert.ok(ref.startsWith('/docs/'), `${ref} is local`);
        const asset = await t.app.inject({ method: 'GET', url: ref });
        assert.equal(asset.statusCode, 200, ref);
        assert.ok(asset.body.length > 10, ref);
      }
      const init = await t.app.inject({ method: 'GET', url: '/docs/assets/init.js' });
      assert.match(init.body, /\/v1\/openapi\.json/);
      const other = await t.app.inject({ method: 'GET', url: '/docs/assets/package.json' });
      assert.equal(other.statusCode, 404);
    });
  });
}
