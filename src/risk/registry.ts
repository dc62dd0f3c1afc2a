// Model registry port: versioned artifacts per model name and one champion per name. Small and async so a
// database adapter (PostgreSQL in src/store) implements it directly; the in-memory one serves tests.
import type { Result } from '../domain/index.ts';
import { err, ok } from '../domain/index.ts';
import type { ModelArtifact } from './artifact.ts';

export interface ModelVersionInfo {
  name: string;
  /** 1, 2, 3… per name, assigned on save. */
  version: number;
  kind: ModelArtifact['kind'];
  createdAt: string;
  dataSha256: string;
  champion: boolean;
  metrics: Record<string, unknown>;
  /** When and by whom this version was last made champion (null if never). */
  promotedAt: string | null;
  promotedBy: string | null;
}

export interface ModelRegistry {
  /** Stores a new version of `name`; never overwrites. */
  save(name: string, artifact: ModelArtifact): Promise<ModelVersionInfo>;
  /** Versions, oldest first; all names when `name` is omitted. */
  list(name?: string): Promise<ModelVersionInfo[]>;
  get(name: string, version: number): Promise<ModelArtifact | null>;
  /** Makes a stored version the champion of its name (the one production scores with); `by` is who did it. */
  promote(name: string, version: number, by?: string): Promise<Result<ModelVersionInfo>>;
  getChampion(name: string): Promise<{ info: ModelVersionInfo; artifact: ModelArtifact } | null>;
}

export function versionInfo(
  name: string,
  version: number,
  a: ModelArtifact,
  champion: boolean,
  promoted: { at: string; by: string | null } | null = null,
): ModelVersionInfo {
  return {
    name,
    version,
    kind: a.kind,
    createdAt: a.createdAt,
    dataSha256: a.training.dataSha256,
    champion,
    metrics: a.metrics,
    promotedAt: promoted?.at ?? null,
    promotedBy: promoted?.by ?? null,
  };
}

/** Keeps artifacts in memory (deep-copied through JSON, as a real store would). */
export class InMemoryModelRegistry implements ModelRegistry {
  private readonly versions = new Map<string, string[]>();
  private readonly champions = new Map<string, number>();
  private readonly promotions = new Map<string, { at: string; by: string | null }>();

  async save(name: string, artifact: ModelArtifact): Promise<ModelVersionInfo> {
    const list = this.versions.get(name) ?? [];
    list.push(JSON.stringify(artifact));
    this.versions.set(name, list);
    return versionInfo(name, list.length, artifact, false);
  }

  async list(name?: string): Promise<ModelVersionInfo[]> {
    const names = name === undefined ? [...this.versions.keys()].sort() : [name];
    return names.flatMap((n) =>
      (this.versions.get(n) ?? []).map((text, i) =>
        versionInfo(
          n,
          i + 1,
          JSON.parse(text) as ModelArtifact,
          this.champions.get(n) === i + 1,
          this.promotions.get(`${n}@${i + 1}`) ?? null,
        ),
      ),
    );
  }

  async get(name: string, version: number): Promise<ModelArtifact | null> {
    const text = this.versions.get(name)?.[version - 1];
    return text === undefined ? null : (JSON.parse(text) as ModelArtifact);
  }

  async promote(name: string, version: number, by?: string): Promise<Result<ModelVersionInfo>> {
    const artifact = await this.get(name, version);
    if (!artifact) return err('not_found', `model '${name}' has no version ${version}`);
    const promoted = { at: new Date().toISOString(), by: by ?? null };
    this.champions.set(name, version);
    this.promotions.set(`${name}@${version}`, promoted);
    return ok(versionInfo(name, version, artifact, true, promoted));
  }

  async getChampion(name: string): Promise<{ info: ModelVersionInfo; artifact: ModelArtifact } | null> {
    const v = this.champions.get(name);
    if (v === undefined) return null;
    const artifact = (await this.get(name, v))!;
    return {
      info: versionInfo(name, v, artifact, true, this.promotions.get(`${name}@${v}`) ?? null),
      artifact,
    };
  }
}
