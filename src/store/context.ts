// Context sources (weather, area risk) for trip enrichment: stored as validated CSV, parsed when loaded.
import {
  type AreaRiskTable,
  type ContextSources,
  parseAreaRiskCsv,
  parseWeatherCsv,
  WeatherTable,
} from '../geo/index.ts';
import type { Result } from '../domain/result.ts';
import type { Db } from './db.ts';

export type ContextKind = 'weather' | 'area_risk';

/** Validates and stores a CSV as the current source of its kind; nothing is stored when it does not parse. */
export async function importContextCsv(
  db: Db,
  kind: ContextKind,
  name: string,
  csv: string,
): Promise<Result<{ rows: number }>> {
  const rows = kind === 'weather' ? countOf(parseWeatherCsv(csv)) : countOf(parseAreaRiskCsv(csv));
  if (!rows.ok) return rows;
  await db.query(
    `INSERT INTO context_sources (kind, name, rows, csv) VALUES ($1, $2, $3, $4)
     ON CONFLICT (kind) DO UPDATE SET name = $2, rows = $3, csv = $4, imported_at = now()`,
    [kind, name, rows.value.rows, csv],
  );
  return rows;
}

function countOf(r: Result<unknown[] | AreaRiskTable>): Result<{ rows: number }> {
  if (!r.ok) return r;
  return { ok: true, value: { rows: Array.isArray(r.value) ? r.value.length : r.value.cells.size } };
}

/** The sources to enrich trips with; empty when nothing was imported (trips then say so). */
export async function loadContextSources(db: Db): Promise<ContextSources> {
  const { rows } = await db.query<{ kind: ContextKind; csv: string }>(
    'SELECT kind, csv FROM context_sources',
  );
  const out: ContextSources = {};
  for (const r of rows) {
    if (r.kind === 'weather') {
      const w = parseWeatherCsv(r.csv);
      if (w.ok) out.weather = new WeatherTable(w.value);
    } else {
      const a = parseAreaRiskCsv(r.csv);
      if (a.ok) out.areaRisk = a.value;
    }
  }
  return out;
}
