import { startPlatform } from '../../api/platform.ts';
import { CONFIG_DOC, loadConfig } from '../../config/index.ts';
import { createLogger } from '../../config/logger.ts';
import { parseCommandArgs } from '../args.ts';

export const summary =
  'run the platform (all roles by default) on embedded PostgreSQL or the configured servers';

const USAGE = `usage: openubi start [--demo] [--port N]

Runs OpenUBI: HTTP API, dashboard and v1 ingest on PORT (8080), OsmAnd on 5055, Teltonika on 5027.
With no DATABASE_URL it starts an embedded PostgreSQL under ./data; with no NATS_URL the bus is a queue in PostgreSQL.
  --demo      fill an empty database with a simulated demo fleet (through the real ingest path)
  --port N    HTTP port (overrides PORT)

Environment:
${CONFIG_DOC.map(([k, d, w]) => `  ${k.padEnd(20)} ${d.padEnd(20)} ${w}`).join('\n')}
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    demo: { type: 'boolean' },
    port: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) {
    process.stderr.write(`openubi start: ${parsed.message}\n${USAGE}`);
    return 2;
  }
  const { values } = parsed.args;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const env = { ...process.env };
  if (values.port !== undefined) env.PORT = values.port;
  if (values.demo) env.DEMO = '1';
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    process.stderr.write(`openubi start: the configuration has ${loaded.errors.length} problem(s):\n`);
    for (const e of loaded.errors) process.stderr.write(`  - ${e}\n`);
    return 2;
  }
  const config = loaded.config;
  const logger = createLogger(config.logLevel);
  // Signals are taken from the start: one that arrives while starting stops the platform as soon as it is up.
  let signalled: string | null = null;
  let onSignal: ((signal: string) => void) | null = null;
  const handler = (signal: string): void => {
    signalled ??= signal;
    onSignal?.(signal);
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
  const platform = await startPlatform(config, logger);
  await new Promise<void>((resolve) => {
    onSignal = (signal) => {
      logger.info({ signal }, 'shutting down: finishing in-flight batches');
      platform.stop().then(resolve, (e) => {
        logger.error({ err: e }, 'shutdown failed');
        resolve();
      });
    };
    if (signalled) onSignal(signalled);
  });
  return 0;
}
