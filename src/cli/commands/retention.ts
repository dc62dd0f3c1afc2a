// openubi retention run: the retention jobs the platform runs hourly, on demand.
import { loadConfig } from '../../config/index.ts';
import { reduceStoredPrecision, runRetention } from '../../store/index.ts';
import { parseCommandArgs } from '../args.ts';
import { withDatabase } from '../database.ts';

export const summary = 'run the retention jobs now: drop old raw batches, coarsen old precise traces';

const USAGE = `usage: openubi retention run [--raw-days N] [--trace-days N] [--apply-precision]

  run                 drop raw-batch partitions older than RAW_RETENTION_DAYS, coarsen the 1 Hz traces of trips
                      that ended more than TRACE_RETENTION_DAYS ago (every 30th point, ~100 m); trips, features
                      and events are kept. The platform runs the same jobs every hour.
  --raw-days N        override RAW_RETENTION_DAYS for this run
  --trace-days N      override TRACE_RETENTION_DAYS for this run
  --apply-precision   also round coordinates already stored to LOCATION_PRECISION_DECIMALS places
Prints a JSON report.
`;

function fail(message: string): number {
  process.stderr.write(`openubi retention: ${message}\n${USAGE}`);
  return 2;
}

function days(name: string, raw: string | undefined, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : `--${name} must be a whole number of days ≥ 1, got '${raw}'`;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    'raw-days': { type: 'string' },
    'trace-days': { type: 'string' },
    'apply-precision': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return fail(parsed.message);
  const { values, positionals } = parsed.args;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals[0] !== 'run' || positionals.length > 1)
    return fail(
      positionals.length === 0 ? 'give the action: run' : `unknown action '${positionals.join(' ')}'`,
    );
  const loaded = loadConfig();
  if (!loaded.ok) return fail(loaded.errors.join('; '));
  const config = loaded.config;
  const raw = days('raw-days', values['raw-days'], config.rawRetentionDays);
  if (typeof raw === 'string') return fail(raw);
  const trace = days('trace-days', values['trace-days'], config.traceRetentionDays);
  if (typeof trace === 'string') return fail(trace);
  if (values['apply-precision'] && config.locationPrecisionDecimals === null)
    return fail('--apply-precision needs LOCATION_PRECISION_DECIMALS to be set');

  return withDatabase(config, async (db) => {
    const started = Date.now();
    const report: Record<string, unknown> = {
      ...(await runRetention(db, started, { rawRetentionDays: raw, traceRetentionDays: trace })),
    };
    if (values['apply-precision'] && config.locationPrecisionDecimals !== null) {
      report.precisionReduced = await reduceStoredPrecision(db, config.locationPrecisionDecimals);
    }
    report.rawRetentionDays = raw;
    report.traceRetentionDays = trace;
    report.seconds = (Date.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  });
}
