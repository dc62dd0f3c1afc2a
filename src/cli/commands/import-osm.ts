// openubi import-osm: read an .osm.pbf extract into the road network, print its summary, optionally write
// the compact network JSON (what the platform stores and loads at start).
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { COUNTRY_DEFAULTS, type ImportSummary, importOsmPbf } from '../../geo/index.ts';
import { loadConfig } from '../../config/index.ts';
import { saveRoadNetwork } from '../../store/index.ts';
import { parseCommandArgs } from '../args.ts';
import { withDatabase } from '../database.ts';

export const summary =
  'load a road network from an .osm.pbf extract (roads, speed limits) and print its summary';

const USAGE = `usage: openubi import-osm FILE.osm.pbf [--country CC] [--out FILE.json] [--json] [--no-store]

Stores the network in the database (DATABASE_URL, or the embedded one) as the active road network the
pipeline matches trips against for speed limits and road classes.

  --country CC   ISO country code whose legal default speed limits apply to roads without maxspeed
                 (tables for ${Object.keys(COUNTRY_DEFAULTS).join(', ')}; other codes get generic European values)
  --out FILE     write the compact network JSON there
  --json         print the summary as JSON instead of text
  --no-store     do not store it in the database (just read, summarise, and --out)
`;

/** Where the command writes; tests pass their own. */
export interface CommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export function run(argv: string[]): Promise<number> {
  return runWith(argv, process);
}

export async function runWith(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    country: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    'no-store': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) {
    io.stderr.write(`openubi import-osm: ${parsed.message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed.args;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    io.stderr.write(`openubi import-osm: give exactly one .osm.pbf file\n${USAGE}`);
    return 2;
  }
  if (!existsSync(file)) {
    io.stderr.write(`openubi import-osm: no such file '${file}'\n`);
    return 2;
  }
  const country = values.country?.toUpperCase();
  if (country !== undefined && !/^[A-Z]{2}$/.test(country)) {
    io.stderr.write(`openubi import-osm: --country must be a two-letter ISO code, got '${values.country}'\n`);
    return 2;
  }
  if (country && !COUNTRY_DEFAULTS[country])
    io.stderr.write(`openubi import-osm: no default-limit table for ${country}; using generic values\n`);
  io.stderr.write(`reading ${file}…\n`);
  const started = performance.now();
  let result: Awaited<ReturnType<typeof importOsmPbf>>;
  try {
    result = await importOsmPbf(file, country ? { countryCode: country } : {});
  } catch (e) {
    io.stderr.write(
      `openubi import-osm: ${file} is not a readable OSM PBF extract: ${(e as Error).message}\n`,
    );
    return 2;
  }
  const seconds = (performance.now() - started) / 1000;
  if (values.out) {
    await writeFile(values.out, JSON.stringify(result.network.toJSON()));
    io.stderr.write(`wrote ${values.out}\n`);
  }
  if (!values['no-store']) {
    const loaded = loadConfig();
    if (!loaded.ok) {
      io.stderr.write(`openubi import-osm: ${loaded.errors.join('; ')}\n`);
      return 2;
    }
    const id = await withDatabase(loaded.config, (db) =>
      saveRoadNetwork(db, {
        name: basename(file),
        source: file,
        country: result.summary.countryCode ?? null,
        summary: result.summary,
        network: result.network,
      }),
    );
    io.stderr.write(`stored as road network ${id} (active)\n`);
  }
  io.stdout.write(
    values.json ? `${JSON.stringify(result.summary, null, 2)}\n` : formatSummary(result.summary, seconds),
  );
  return 0;
}

function formatSummary(s: ImportSummary, seconds: number): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `OSM: ${s.osm.nodes} nodes, ${s.osm.ways} ways (${s.osm.highwayWays} highway, ${s.osm.drivableWays} drivable, ${s.osm.drivableWaysWithMaxspeed} drivable with maxspeed)`,
    `network: ${s.network.nodes} nodes, ${s.network.edges} edges (${s.network.onewayEdges} oneway), ${s.network.lengthKm.toFixed(1)} km`,
    `speed limits tagged: ${pct(s.network.taggedLimitShareEdges)} of edges, ${pct(s.network.taggedLimitShareKm)} of km; the rest are ${s.countryCode ?? 'generic'} legal defaults`,
    'km by class:',
    ...Object.entries(s.network.kmByClass)
      .sort((a, b) => b[1] - a[1])
      .map(([k, km]) => `  ${k.padEnd(16)} ${km.toFixed(1).padStart(8)}`),
  ];
  if (s.missingNodeRefs)
    lines.push(`ways clipped at the extract border: ${s.missingNodeRefs} missing node references`);
  lines.push(`done in ${seconds.toFixed(2)} s`);
  return `${lines.join('\n')}\n`;
}
