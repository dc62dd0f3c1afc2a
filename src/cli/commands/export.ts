// openubi export: trips, events and trip features as date-partitioned Parquet for the insurer's data lake.
import { resolve } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { exportAnalytics } from '../../store/export.ts';
import { parseCommandArgs } from '../args.ts';
import { withDatabase } from '../database.ts';

export const summary = 'export trips, events and trip features as Parquet partitioned by date (data lake)';

const USAGE = `usage: openubi export --since YYYY-MM-DD [--until YYYY-MM-DD] --out DIR [--tenant ID]

Writes DIR/{trips,events,trip_features}/dt=YYYY-MM-DD/part-0.parquet, one file per table and UTC day (by start
time), typed columns, readable by DuckDB (read_parquet('DIR/trips/*/*.parquet', hive_partitioning=true)), pandas
(pyarrow) and Spark. Re-exporting a day replaces its files; a day with no rows has none.
  --since DATE   first day (UTC), inclusive
  --until DATE   last day, exclusive (default: tomorrow, so today is included)
  --out DIR      output directory (created)
  --tenant ID    one tenant only (default: all)
`;

function fail(message: string): number {
  process.stderr.write(`openubi export: ${message}\n${USAGE}`);
  return 2;
}

function parseDay(name: string, raw: string): number | string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== raw)
    return `--${name} must be a date YYYY-MM-DD, got '${raw}'`;
  return ms;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    since: { type: 'string' },
    until: { type: 'string' },
    out: { type: 'string' },
    tenant: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return fail(parsed.message);
  const { values, positionals } = parsed.args;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 0) return fail(`unexpected argument '${positionals[0]}'`);
  if (values.since === undefined) return fail('--since is required');
  if (values.out === undefined || values.out === '') return fail('--out is required');
  const since = parseDay('since', values.since);
  if (typeof since === 'string') return fail(since);
  let until: number | undefined;
  if (values.until !== undefined) {
    const u = parseDay('until', values.until);
    if (typeof u === 'string') return fail(u);
    if (u <= since) return fail(`--until (${values.until}) must be after --since (${values.since})`);
    until = u;
  }
  const loaded = loadConfig();
  if (!loaded.ok) return fail(loaded.errors.join('; '));
  const outDir = resolve(values.out);
  return withDatabase(loaded.config, async (db) => {
    const report = await exportAnalytics(db, {
      sinceMs: since,
      ...(until !== undefined ? { untilMs: until } : {}),
      outDir,
      tenantId: values.tenant ?? null,
      onDay: (day, n) =>
        process.stderr.write(
          `${day}: ${n.trips} trips, ${n.events} events, ${n.trip_features} feature rows\n`,
        ),
    });
    process.stdout.write(
      `${JSON.stringify({ outDir, days: report.days, rows: report.rows, files: report.files.length })}\n`,
    );
    return 0;
  });
}
