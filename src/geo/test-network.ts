// Shared by geo tests: the Andorra extract from ../shared/data, loaded once per test file.
import { fileURLToPath } from 'node:url';
import type { RoadNetwork } from './network.ts';
import { type ImportSummary, importOsmPbf } from './osm-import.ts';

export const ANDORRA_PBF = fileURLToPath(
  new URL('../../../shared/data/osm/andorra.osm.pbf', import.meta.url),
);

let loaded: Promise<{ network: RoadNetwork; summary: ImportSummary }> | null = null;

export function andorra(): Promise<{ network: RoadNetwork; summary: ImportSummary }> {
  loaded ??= importOsmPbf(ANDORRA_PBF, { countryCode: 'AD' });
  return loaded;
}
