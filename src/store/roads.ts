// Road networks in the database: the active one is what the worker matches trips against.
import { RoadNetwork } from '../geo/index.ts';
import type { Db } from './db.ts';

export interface StoredNetworkInfo {
  id: number;
  name: string;
  source: string;
  country: string | null;
  importedAt: string;
  summary: unknown;
}

/** Stores a network with its edges and makes it the active one, in one transaction. */
export async function saveRoadNetwork(
  db: Db,
  input: { name: string; source: string; country: string | null; summary: unknown; network: RoadNetwork },
): Promise<number> {
  return db.tx(async (c) => {
    await c.query('UPDATE road_networks SET active = false WHERE active');
    const { rows } = await c.query<{ id: number }>(
      `INSERT INTO road_networks (name, source, country, summary, network, active)
       VALUES ($1, $2, $3, $4, $5, true) RETURNING id`,
      [
        input.name,
        input.source,
        input.country,
        JSON.stringify(input.summary),
        JSON.stringify(input.network.toJSON()),
      ],
    );
    const id = rows[0]!.id;
    const edges = input.network.edges;
    const CHUNK = 2000;
    for (let i = 0; i < edges.length; i += CHUNK) {
      const part = edges.slice(i, i + CHUNK);
      const boxes = part.map((e) => {
        let minLat = 90;
        let minLon = 180;
        let maxLat = -90;
        let maxLon = -180;
        for (let k = 0; k < e.geometry.length; k += 2) {
          minLat = Math.min(minLat, e.geometry[k]!);
          maxLat = Math.max(maxLat, e.geometry[k]!);
          minLon = Math.min(minLon, e.geometry[k + 1]!);
          maxLon = Math.max(maxLon, e.geometry[k + 1]!);
        }
        return `((${minLon},${minLat}),(${maxLon},${maxLat}))`;
      });
      await c.query(
        `INSERT INTO road_edges (network_id, edge_id, way_id, road_class, name, oneway, speed_limit_kmh,
                                 speed_limit_source, length_m, bbox)
         SELECT $1, e, w, c, n, o, l, s, len, b::box
           FROM unnest($2::int[], $3::bigint[], $4::text[], $5::text[], $6::bool[], $7::real[], $8::text[],
                       $9::real[], $10::text[]) AS u(e, w, c, n, o, l, s, len, b)`,
        [
          id,
          part.map((e) => e.id),
          part.map((e) => e.wayId),
          part.map((e) => e.roadClass),
          part.map((e) => e.name),
          part.map((e) => e.oneway),
          part.map((e) => e.speedLimitKmh),
          part.map((e) => e.speedLimitSource),
          part.map((e) => e.lengthM),
          boxes,
        ],
      );
    }
    return id;
  });
}

export async function loadActiveRoadNetwork(
  db: Db,
): Promise<{ info: StoredNetworkInfo; network: RoadNetwork } | null> {
  const { rows } = await db.query<{
    id: number;
    name: string;
    source: string;
    country: string | null;
    imported_at: Date;
    summary: unknown;
    network: unknown;
  }>('SELECT id, name, source, country, imported_at, summary, network FROM road_networks WHERE active');
  const r = rows[0];
  if (!r) return null;
  return {
    info: {
      id: r.id,
      name: r.name,
      source: r.source,
      country: r.country,
      importedAt: r.imported_at.toISOString(),
      summary: r.summary,
    },
    network: RoadNetwork.fromJSON(r.network),
  };
}

/** Edges whose bounding box is within `radiusDeg` of a point, through the GiST index (for SQL-side lookups). */
export async function edgesNear(db: Db, lat: number, lon: number, radiusDeg: number): Promise<number[]> {
  const { rows } = await db.query<{ edge_id: number }>(
    `SELECT e.edge_id FROM road_edges e JOIN road_networks n ON n.id = e.network_id AND n.active
      WHERE e.bbox && box(point($1 - $3, $2 - $3), point($1 + $3, $2 + $3))`,
    [lon, lat, radiusDeg],
  );
  return rows.map((r) => r.edge_id);
}
