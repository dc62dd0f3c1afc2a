// Model registry: metrics, versions, champion/challenger and promote (owner: risk). Models belong to a tenant
// (risk_models), so every query goes through the tenant-scoped registry.
import { type Static, Type } from '@sinclair/typebox';
import type { ModelArtifact } from '../../../risk/artifact.ts';
import type { ModelMetrics } from '../../../risk/evaluate.ts';
import { psi } from '../../../risk/metrics.ts';
import type { ModelVersionInfo } from '../../../risk/registry.ts';
import {
  type ClassicFactors,
  TELEMATICS_MODEL_NAME,
  telematicsScorer,
} from '../../../risk/telematics/index.ts';
import type { Queryable } from '../../../store/index.ts';
import { reconcileDriverRisk } from '../../../services/rescoring.ts';
import { createPgModelRegistry } from '../../../store/models.ts';
import { conflict, notFound } from '../errors.ts';
import { type RouteSpec, route, STAFF } from '../types.ts';

const ListQuery = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false },
);
const VersionParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  version: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

/** Headline figures of a learn/test metrics block (the full lift tables are on the version route). */
function headline(m: unknown) {
  const x = m as Partial<ModelMetrics> | null | undefined;
  if (!x || typeof x !== 'object') return null;
  return {
    rows: x.rows ?? null,
    exposure: x.exposure ?? null,
    observed: x.observed ?? null,
    actualToExpected: x.actualToExpected ?? null,
    gini: x.gini ?? null,
    poissonDevianceX100: x.poissonDevianceX100 ?? null,
    d2: x.d2 ?? null,
  };
}

const versionView = (i: ModelVersionInfo) => ({
  name: i.name,
  version: i.version,
  kind: i.kind,
  createdAt: i.createdAt,
  dataSha256: i.dataSha256,
  champion: i.champion,
  promotedAt: i.promotedAt,
  promotedBy: i.promotedBy,
  metrics: {
    learn: headline(i.metrics.learn),
    test: headline(i.metrics.test),
    ...(typeof i.metrics.giniGain === 'number' ? { giniGain: i.metrics.giniGain } : {}),
  },
});

/** Calibration by decile of predicted frequency: predicted vs observed, and A/E. */
function calibration(m: unknown) {
  const x = m as Partial<ModelMetrics> | null | undefined;
  if (!x?.liftByDecile) return null;
  return {
    actualToExpected: x.actualToExpected ?? null,
    byDecile: x.liftByDecile.map((b) => ({
      decile: b.band,
      exposure: b.exposure,
      predictedFrequency: b.predictedFrequency,
      observedFrequency: b.observedFrequency,
      actualToExpected: b.actualToExpected,
      lift: b.lift,
    })),
  };
}

const DRIFT_DRIVERS = 10_000;

/**
 * PSI between the training scores (quantiles of the learn predictions, stored with the model) and this
 * version's scores of the tenant's current drivers (their stored behaviour and classic factors).
 */
async function drift(q: Queryable, tenantId: string, a: ModelArtifact) {
  const ref = a.metrics.scoreQuantiles;
  if (!Array.isArray(ref) || !a.telematics)
    return { psi: null, drivers: 0, note: 'only telematics models store training scores' };
  const scorer = telematicsScorer(a);
  const { rows } = await q.query<{
    behaviour: Record<string, number>;
    classic_factors: { factors?: Partial<ClassicFactors> };
  }>(
    `SELECT behaviour, classic_factors FROM driver_risk WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT $2`,
    [tenantId, DRIFT_DRIVERS],
  );
  if (rows.length === 0) return { psi: null, drivers: 0, note: 'no driver has been scored yet' };
  const current = rows.map((r) =>
    scorer.frequency(
      { ...scorer.classicDefaults, ...r.classic_factors.factors },
      { ...scorer.reference, ...r.behaviour },
    ),
  );
  const value = psi(ref as number[], current);
  return {
    psi: value,
    drivers: rows.length,
    // The usual reading of PSI (e.g. Siddiqi 2006): < 0.1 stable, 0.1–0.25 watch, > 0.25 shifted.
    reading: value < 0.1 ? 'stable' : value <= 0.25 ? 'moderate shift' : 'significant shift',
  };
}

export const modelRoutes: RouteSpec[] = [
  route({
    method: 'GET',
    url: '/v1/models',
    summary: "the tenant's model versions (oldest first per name) with headline metrics and the champion",
    access: { roles: STAFF, scope: 'models:read' },
    status: 200,
    schema: { querystring: ListQuery },
    handler: async ({ req, principal, s }) => {
      const q = req.query as Static<typeof ListQuery>;
      const items = await createPgModelRegistry(s.db, principal.tenantId).list(q.name);
      return { items: items.map(versionView) };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/models/:name/versions/:version',
    summary: 'one model version: learn/test metrics, lift and A/E by decile, calibration, Gini, PSI drift',
    access: { roles: STAFF, scope: 'models:read' },
    status: 200,
    schema: { params: VersionParams },
    handler: async ({ req, principal, s }) => {
      const { name, version } = req.params as Static<typeof VersionParams>;
      const reg = createPgModelRegistry(s.db, principal.tenantId);
      const info = await reg.info(name, version);
      const a = info && (await reg.get(name, version));
      if (!info || !a) throw notFound(`model ${name} version ${version}`);
      const m = a.metrics;
      return {
        ...versionView(info),
        inputs: a.inputs,
        target: a.target,
        training: a.training,
        metrics: {
          learn: m.learn ?? null,
          test: m.test ?? null,
          ...(m.classicOnlyTest ? { classicOnlyTest: m.classicOnlyTest, giniGain: m.giniGain } : {}),
          ...(typeof m.trees === 'number' ? { trees: m.trees } : {}),
        },
        calibration: { learn: calibration(m.learn), test: calibration(m.test) },
        gini: {
          learn: (m.learn as ModelMetrics | undefined)?.gini ?? null,
          test: (m.test as ModelMetrics | undefined)?.gini ?? null,
        },
        drift: await drift(s.db, principal.tenantId, a),
        ...(a.kind === 'glm' ? { coefficients: a.glm.coefficients } : { trees: a.gbm.trees.length }),
        ...(a.telematics ? { telematics: a.telematics } : {}),
      };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/models/:name/versions/:version/promote',
    summary:
      'make a version the champion of its name; every driver is then rescored and requoted in the background',
    access: { roles: ['admin'], scope: null },
    status: 200,
    audit: 'model.promote',
    schema: { params: VersionParams },
    handler: async ({ req, principal, s, audit }) => {
      const { name, version } = req.params as Static<typeof VersionParams>;
      const reg = createPgModelRegistry(s.db, principal.tenantId);
      if (name === TELEMATICS_MODEL_NAME) {
        const a = await reg.get(name, version);
        if (!a) throw notFound(`model ${name} version ${version}`);
        try {
          telematicsScorer(a);
        } catch (e) {
          throw conflict(`cannot promote: ${(e as Error).message}`);
        }
      }
      const r = await reg.promote(name, version, `${principal.kind}:${principal.id}`);
      if (!r.ok) throw notFound(`model ${name} version ${version}`);
      audit('model', `${name}@${version}`);
      // Every driver of the tenant is rescored with the new champion and requoted, in the background.
      if (name === TELEMATICS_MODEL_NAME)
        void reconcileDriverRisk(s.db, s.logger, {
          tenantId: principal.tenantId,
          reason: 'model.promote',
        }).catch((e) => s.logger.error({ err: (e as Error).message }, 'rescoring after a promotion failed'));
      return versionView(r.value);
    },
  }),
];
