import { loadConfig } from '../../config/index.ts';
import { ensureTenant, registerDevice } from '../../store/index.ts';
import { parseCommandArgs } from '../args.ts';
import { withDatabase } from '../database.ts';

export const summary = 'register a device and print its ingest credential (shown once)';

const USAGE = `usage: openubi register-device [--kind phone|teltonika|osmand] [--external-id IMEI_OR_ID] [--id ID]
                               [--tenant ID] [--driver ID]

Prints JSON with the device id and its bearer token (only a hash is stored; the token cannot be shown again).
Teltonika devices log in with their IMEI (--external-id); OsmAnd devices send their id (--external-id).
`;

const KINDS = ['phone', 'teltonika', 'osmand'] as const;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, {
    kind: { type: 'string' },
    'external-id': { type: 'string' },
    id: { type: 'string' },
    tenant: { type: 'string' },
    driver: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) {
    process.stderr.write(`openubi register-device: ${parsed.message}\n${USAGE}`);
    return 2;
  }
  const v = parsed.args.values;
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const kind = (v.kind ?? 'phone') as (typeof KINDS)[number];
  if (!KINDS.includes(kind)) {
    process.stderr.write(
      `openubi register-device: --kind must be one of ${KINDS.join(', ')}, got '${v.kind}'\n`,
    );
    return 2;
  }
  if (kind !== 'phone' && !v['external-id']) {
    process.stderr.write(
      `openubi register-device: a ${kind} device needs --external-id (its IMEI or OsmAnd id)\n`,
    );
    return 2;
  }
  const loaded = loadConfig();
  if (!loaded.ok) {
    process.stderr.write(`openubi register-device: ${loaded.errors.join('; ')}\n`);
    return 2;
  }
  const tenant = v.tenant ?? 'default';
  const device = await withDatabase(loaded.config, async (db) => {
    await ensureTenant(db, tenant, tenant === 'default' ? 'Default insurer' : tenant);
    return registerDevice(db, {
      tenantId: tenant,
      kind,
      ...(v.id ? { id: v.id } : {}),
      externalId: v['external-id'] ?? null,
      driverId: v.driver ?? null,
    });
  });
  process.stdout.write(`${JSON.stringify(device, null, 2)}\n`);
  return 0;
}
