// The PostgreSQL model registry (table risk_models, migration 010): the ModelRegistry port for one tenant.
// Versions are assigned max+1 per (tenant, name); a promotion is one transaction that locks the name's rows,
// so the partial unique index (one champion per name) holds even when two promotions race.
import type { Result } from '../domain/index.ts';
import { err, ok } from '../domain/index.ts';
import type { ModelArtifact } from '../risk/artifact.ts';
import type { ModelRegistry, ModelVersionInfo } from '../risk/registry.ts';
import type { Db, Queryable } from './db.ts';

interface InfoRow {
  name: string;
  version: number;
  kind: 'glm' | 'gbm';
  created: string;
  data_sha256: string;
  champion: boolean;
  metrics: Record<string, unknown>;
  promoted_at: Date | null;
  promoted_by: string | null;
}

const INFO_COLS = `name, version, kind, artifact->>'createdAt' AS created, data_sha256, champion, metrics,
                   promoted_at, promoted_by`;

const info = (r: InfoRow): ModelVersionInfo => ({
  name: r.name,
  version: r.version,
  kind: r.kind,
  createdAt: r.created,
  dataSha256: r.data_sha256,
  champion: r.champion,
  metrics: r.metrics,
  promotedAt: r.promoted_at ? r.promoted_at.toISOString() : null,
  promotedBy: r.promoted_by,
});

const isUniqueViolation = (e: unknown): boolean => (e as { code?: string }).code === '23505';

export interface PgModelRegistry extends ModelRegistry {
  readonly tenantId: string;
  /** Version metadata without the artifact (cheap), or null. */
  info(name: string, version: number): Promise<ModelVersionInfo | null>;
}

/**
 * `db` with a `tx` (a Db) runs a promotion in its own transaction; a bare Queryable (e.g. a PoolClient) must
 * already be inside one.
 */
export function createPgModelRegistry(db: Queryable & { tx?: Db['tx'] }, tenantId: string): PgModelRegistry {
  const one = async (q: Queryable, name: string, version: number) =>
    (
      await q.query<InfoRow>(
        `SELECT ${INFO_COLS} FROM risk_models WHERE tenant_id = $1 AND name = $2 AND version = $3`,
        [tenantId, name, version],
      )
    ).rows[0] ?? null;

  const promoteIn = async (
    q: Queryable,
    name: string,
    version: number,
    by: string | null,
  ): Promise<Result<ModelVersionInfo>> => {
    // Lock every version of the name first: a concurrent promotion waits here, then sees our champion.
    await q.query('SELECT version FROM risk_models WHERE tenant_id = $1 AND name = $2 FOR UPDATE', [
      tenantId,
      name,
    ]);
    if (!(await one(q, name, version))) return err('not_found', `model '${name}' has no version ${version}`);
    await q.query(
      'UPDATE risk_models SET champion = false WHERE tenant_id = $1 AND name = $2 AND champion AND version <> $3',
      [tenantId, name, version],
    );
    await q.query(
      `UPDATE risk_models SET champion = true, promoted_at = now(), promoted_by = $4
        WHERE tenant_id = $1 AND name = $2 AND version = $3`,
      [tenantId, name, version, by],
    );
    return ok(info((await one(q, name, version))!));
  };

  return {
    tenantId,
    async save(name: string, artifact: ModelArtifact): Promise<ModelVersionInfo> {
      for (let attempt = 0; ; attempt++) {
        try {
          const { rows } = await db.query<InfoRow>(
            `INSERT INTO risk_models (tenant_id, name, version, kind, artifact, metrics, data_sha256)
             SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6
               FROM risk_models WHERE tenant_id = $1 AND name = $2
             RETURNING ${INFO_COLS}`,
            [
              tenantId,
              name,
              artifact.kind,
              JSON.stringify(artifact),
              JSON.stringify(artifact.metrics),
              artifact.training.dataSha256,
            ],
          );
          return info(rows[0]!);
        } catch (e) {
          // Two saves of one name raced for the same version number: take the next one.
          if (!isUniqueViolation(e) || attempt >= 5) throw e;
        }
      }
    },
    async list(name?: string): Promise<ModelVersionInfo[]> {
      const { rows } = await db.query<InfoRow>(
        `SELECT ${INFO_COLS} FROM risk_models WHERE tenant_id = $1 AND ($2::text IS NULL OR name = $2)
          ORDER BY name, version`,
        [tenantId, name ?? null],
      );
      return rows.map(info);
    },
    async info(name: string, version: number): Promise<ModelVersionInfo | null> {
      const r = await one(db, name, version);
      return r ? info(r) : null;
    },
    async get(name: string, version: number): Promise<ModelArtifact | null> {
      const { rows } = await db.query<{ artifact: ModelArtifact }>(
        'SELECT artifact FROM risk_models WHERE tenant_id = $1 AND name = $2 AND version = $3',
        [tenantId, name, version],
      );
      return rows[0]?.artifact ?? null;
    },
    async promote(name: string, version: number, by?: string): Promise<Result<ModelVersionInfo>> {
      if (db.tx) return db.tx((c) => promoteIn(c, name, version, by ?? null));
      return promoteIn(db, name, version, by ?? null);
    },
    async getChampion(name: string) {
      const { rows } = await db.query<InfoRow & { artifact: ModelArtifact }>(
        `SELECT ${INFO_COLS}, artifact FROM risk_models WHERE tenant_id = $1 AND name = $2 AND champion`,
        [tenantId, name],
      );
      const r = rows[0];
      return r ? { info: info(r), artifact: r.artifact } : null;
    },
  };
}
