// Matrix probes for src/api/v1/routes/models.ts: one per route.
import type { ModelArtifact } from '../../src/risk/index.ts';
import { trainTelematicsModel } from '../../src/risk/telematics/index.ts';
import { syntheticTelematicsRows } from '../../src/risk/testing/telematics.ts';
import type { V1TestApp } from '../../src/api/v1/testing.ts';
import { createPgModelRegistry } from '../../src/store/index.ts';
import type { Fixture } from './types.ts';

const NAME = 'authz-frequency';
let artifact: Promise<ModelArtifact> | null = null;
const saved = new Map<string, Promise<number>>();

/** One stored version of NAME in the tenant (trained once per process, saved once per tenant). */
function modelIn(t: V1TestApp, tenantId: string): Promise<number> {
  artifact ??= trainTelematicsModel(syntheticTelematicsRows(400, 5), { seed: 1 }).then((r) => r.artifact);
  let v = saved.get(tenantId);
  if (!v) {
    v = artifact.then(async (a) => (await createPgModelRegistry(t.db, tenantId).save(NAME, a)).version);
    saved.set(tenantId, v);
  }
  return v;
}

export const modelFixtures: Record<string, Fixture> = {
  'GET /v1/models': async (fx, t) => {
    await modelIn(t, fx.tenants.a);
    return {
      url: '/v1/models',
      subject: { tenant: 'a', driver: null },
      contains: (b) => (b.items as Array<{ name: string }>).some((i) => i.name === NAME),
    };
  },
  'GET /v1/models/:name/versions/:version': async (fx, t) => ({
    url: `/v1/models/${NAME}/versions/${await modelIn(t, fx.tenants.a)}`,
    subject: { tenant: 'a', driver: null },
  }),
  'POST /v1/models/:name/versions/:version/promote': async (fx, t) => ({
    url: `/v1/models/${NAME}/versions/${await modelIn(t, fx.tenants.a)}/promote`,
    subject: { tenant: 'a', driver: null },
  }),
};
