import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { type ContextKind, importContextCsv } from '../../store/index.ts';
import { parseCommandArgs } from '../args.ts';
import { withDatabase } from '../database.ts';

export const summary =
  'import weather (hourly CSV) and area risk (incidents per place or H3 cell) for trip context';

const USAGE = `usage: openubi import-context [--weather FILE.csv] [--area-risk FILE.csv]

  --weather FILE     hourly weather: header with time,lat,lon and any of precipitation_mm, snowfall_cm,
                     temperature_c, rain_mm, weather_code, is_day (time ISO 8601 or epoch ms)
  --area-risk FILE   incident counts: lat,lon,count (one row per incident place) or h3,count (H3 res 8 cells)

Each import replaces the previous one of its kind; a file with any bad row is refused whole (the error names
the line). The platform picks the new data up within five minutes; trips stored before keep their context.
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    weather: { type: 'string' },
    'area-risk': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) {
    process.stderr.write(`openubi import-context: ${parsed.message}\n${USAGE}`);
    return 2;
  }
  const v = parsed.args.values;
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const jobs: Array<[ContextKind, string]> = [];
  if (v.weather) jobs.push(['weather', v.weather]);
  if (v['area-risk']) jobs.push(['area_risk', v['area-risk']]);
  if (jobs.length === 0 || parsed.args.positionals.length > 0) {
    process.stderr.write(`openubi import-context: give --weather and/or --area-risk\n${USAGE}`);
    return 2;
  }
  for (const [, file] of jobs) {
    if (!existsSync(file)) {
      process.stderr.write(`openubi import-context: no such file '${file}'\n`);
      return 2;
    }
  }
  const loaded = loadConfig();
  if (!loaded.ok) {
    process.stderr.write(`openubi import-context: ${loaded.errors.join('; ')}\n`);
    return 2;
  }
  return withDatabase(loaded.config, async (db) => {
    for (const [kind, file] of jobs) {
      const r = await importContextCsv(db, kind, basename(file), readFileSync(file, 'utf8'));
      if (!r.ok) {
        process.stderr.write(`openubi import-context: ${file}: ${r.error.message}\n`);
        return 2;
      }
      process.stdout.write(`${kind}: ${r.value.rows} rows imported from ${file}\n`);
    }
    return 0;
  });
}
