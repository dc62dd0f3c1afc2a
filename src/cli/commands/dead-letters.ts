// openubi dead-letters: list, inspect and replay batches the worker moved to the dead-letter store.
import { type Bus, createJetStreamBus, createPostgresBus } from '../../bus/index.ts';
import { loadConfig } from '../../config/index.ts';
import { decodeBatch } from '../../ingest/codec.ts';
import { getDeadLetter, listDeadLetters, replayDeadLetter } from '../../ops/dead-letters.ts';
import { parseCommandArgs } from '../args.ts';
import { withDatabase } from '../database.ts';

export const summary = 'list, show and replay batches in the dead-letter store';

const USAGE = `usage: openubi dead-letters list [--all] [--device ID] [--limit N]
       openubi dead-letters show ID
       openubi dead-letters replay ID [--force]

A batch that kept failing in a pipeline stage is kept with its error instead of blocking its device's stream.
  list      the dead letters not yet replayed (--all: replayed ones too), as JSON lines
  show ID   one dead letter with its error and the decoded batch (sample counts, time span)
  replay ID publish the batch again on its device's partition (once the cause is fixed); the worker applies it
            exactly once; --force replays one already replayed
Uses DATABASE_URL / NATS_URL like openubi start.
`;

function fail(message: string): number {
  process.stderr.write(`openubi dead-letters: ${message}\n${USAGE}`);
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    all: { type: 'boolean' },
    device: { type: 'string' },
    limit: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return fail(parsed.message);
  const { values, positionals } = parsed.args;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [action, idText, ...extra] = positionals;
  if (!action) return fail('give an action: list, show or replay');
  if (extra.length > 0) return fail(`unexpected argument '${extra[0]}'`);
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    return fail(`--limit must be a positive integer, got '${values.limit}'`);
  let id = 0;
  if (action === 'show' || action === 'replay') {
    id = Number(idText);
    if (idText === undefined || !Number.isInteger(id) || id < 1)
      return fail(`${action} needs a dead-letter ID (a positive integer), got '${idText ?? ''}'`);
  } else if (action !== 'list') return fail(`unknown action '${action}' (use list, show or replay)`);
  else if (idText !== undefined) return fail(`list takes no ID (got '${idText}')`);
  const loaded = loadConfig();
  if (!loaded.ok) return fail(loaded.errors.join('; '));
  const config = loaded.config;

  return withDatabase(config, async (db) => {
    if (action === 'list') {
      const rows = await listDeadLetters(db, {
        includeReplayed: values.all ?? false,
        limit,
        ...(values.device ? { key: values.device } : {}),
      });
      for (const r of rows) process.stdout.write(`${JSON.stringify({ ...r, error: firstLine(r.error) })}\n`);
      process.stderr.write(`${rows.length} dead letter(s)\n`);
      return 0;
    }
    if (action === 'show') {
      const dl = await getDeadLetter(db, id);
      if (!dl) {
        process.stderr.write(`openubi dead-letters: no dead letter ${id}\n`);
        return 1;
      }
      const { payload, ...rest } = dl;
      let batch: Record<string, unknown>;
      try {
        const b = decodeBatch(payload);
        batch = {
          deviceId: b.deviceId,
          batchId: b.batchId,
          source: b.source,
          gpsSamples: b.gps?.t.length ?? 0,
          imuSamples: b.imu?.t.length ?? 0,
          phoneEvents: b.phone?.length ?? 0,
        };
      } catch (e) {
        batch = { undecodable: (e as Error).message };
      }
      process.stdout.write(`${JSON.stringify({ ...rest, batch }, null, 2)}\n`);
      return 0;
    }
    let bus: Bus;
    if (config.natsUrl)
      bus = await createJetStreamBus(config.natsUrl, {
        partitions: config.busPartitions,
        replicas: config.natsReplicas,
      });
    else bus = createPostgresBus(db, '', { partitions: config.busPartitions });
    try {
      const r = await replayDeadLetter(db, bus, id, { force: values.force ?? false });
      if (!r.ok) {
        process.stderr.write(`openubi dead-letters: ${r.error.message}\n`);
        return 1;
      }
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return 0;
    } finally {
      await bus.close();
    }
  });
}

const firstLine = (s: string): string => s.split('\n')[0] ?? '';
