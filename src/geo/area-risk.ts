// Area risk on H3 cells (resolution 8, ~0.74 km² hexagons): incident counts imported from CSV, normalised
// by each cell's true area so cells compare fairly (H3 areas vary ~2× across the globe).
import { UNITS, cellArea, cellToParent, getResolution, isValidCell, latLngToCell } from 'h3-js';
import { type Result, err, ok } from '../domain/result.ts';

export const AREA_RISK_RESOLUTION = 8;

export interface AreaRiskCell {
  count: number;
  areaKm2: number;
  perKm2: number;
}

export class AreaRiskTable {
  /** Mean incidents per km² over the cells in the table (the yardstick of the relative index). */
  readonly meanPerKm2: number;

  constructor(readonly cells: ReadonlyMap<string, AreaRiskCell>) {
    let count = 0;
    let area = 0;
    for (const c of cells.values()) {
      count += c.count;
      area += c.areaKm2;
    }
    this.meanPerKm2 = area > 0 ? count / area : 0;
  }

  /** Incidents per km² at a point; 0 where no incident was recorded. */
  perKm2At(lat: number, lon: number): number {
    return this.cells.get(latLngToCell(lat, lon, AREA_RISK_RESOLUTION))?.perKm2 ?? 0;
  }
}

/** Builds the table from per-cell counts (cells finer than resolution 8 are rolled up into their parent). */
export function areaRiskFromCounts(counts: Iterable<[string, number]>): Result<AreaRiskTable> {
  const totals = new Map<string, number>();
  for (const [cell, n] of counts) {
    if (!isValidCell(cell)) return err('h3_invalid', `'${cell}' is not an H3 cell`, 'h3');
    const res = getResolution(cell);
    if (res < AREA_RISK_RESOLUTION)
      return err(
        'h3_resolution',
        `cell ${cell} has resolution ${res}; need ${AREA_RISK_RESOLUTION} or finer`,
        'h3',
      );
    const parent = res === AREA_RISK_RESOLUTION ? cell : cellToParent(cell, AREA_RISK_RESOLUTION);
    totals.set(parent, (totals.get(parent) ?? 0) + n);
  }
  const cells = new Map<string, AreaRiskCell>();
  for (const [cell, count] of totals) {
    const areaKm2 = cellArea(cell, UNITS.km2);
    cells.set(cell, { count, areaKm2, perKm2: count / areaKm2 });
  }
  return ok(new AreaRiskTable(cells));
}

/** Parses `lat,lon,count` (one incident location per row, or pre-counted) or `h3,count` CSV. */
export function parseAreaRiskCsv(text: string): Result<AreaRiskTable> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = lines[0]?.split(',').map((h) => h.trim().toLowerCase());
  if (!header) return err('csv_empty', 'area risk CSV is empty');
  const col = (n: string): number => header.indexOf(n);
  const byH3 = col('h3') >= 0;
  if (!byH3 && (col('lat') < 0 || col('lon') < 0))
    return err('csv_header', "area risk CSV needs columns 'lat,lon[,count]' or 'h3,count'");
  if (byH3 && col('count') < 0)
    return err('csv_header', "area risk CSV by h3 needs a 'count' column", 'count');
  const counts: Array<[string, number]> = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(',').map((c) => c.trim());
    const lineNo = i + 1;
    const count = col('count') >= 0 ? Number(cells[col('count')]) : 1;
    if (!Number.isFinite(count) || count < 0)
      return err('csv_value', `line ${lineNo}: count must be a non-negative number`, 'count');
    if (byH3) {
      counts.push([cells[col('h3')] ?? '', count]);
      continue;
    }
    const lat = Number(cells[col('lat')]);
    const lon = Number(cells[col('lon')]);
    if (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180) || cells[col('lat')] === '')
      return err('csv_value', `line ${lineNo}: lat/lon missing or out of range`, 'lat');
    counts.push([latLngToCell(lat, lon, AREA_RISK_RESOLUTION), count]);
  }
  const table = areaRiskFromCounts(counts);
  if (!table.ok) return err(table.error.code, `${table.error.message} (in the CSV)`, table.error.field);
  return table;
}
