import { ApiError } from '../../api/v1/errors.ts';
import { createUser, MIN_PASSWORD_LENGTH, ROLES, type Role } from '../../api/v1/index.ts';
import { loadConfig } from '../../config/index.ts';
import { ensureTenant } from '../../store/index.ts';
import { parseCommandArgs } from '../args.ts';
import { withDatabase } from '../database.ts';

export const summary = 'create a user (driver, analyst or admin); the password is read from stdin';

const USAGE = `usage: openubi create-user --email EMAIL --role driver|analyst|admin [--driver ID] [--tenant ID] --password-stdin

Reads the password (at least ${MIN_PASSWORD_LENGTH} characters) from the first line of stdin, so it never appears in
the process list or shell history; prints the new user as JSON (never the password or its hash).
A driver user needs --driver, the id of a driver of the tenant.
  printf '%s\\n' "$PASSWORD" | openubi create-user --email ana@insurer.example --role analyst --password-stdin
`;

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function run(argv: string[]): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`openubi create-user: ${message}\n`);
    return 2;
  };
  const parsed = parseCommandArgs(argv, {
    email: { type: 'string' },
    role: { type: 'string' },
    driver: { type: 'string' },
    tenant: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (!parsed.ok) return fail(`${parsed.message}\n${USAGE}`);
  const v = parsed.args.values;
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!v.email || !/^[^@\s]+@[^@\s]+$/.test(v.email))
    return fail(`--email must be an email address, got '${v.email ?? ''}'`);
  if (!ROLES.includes(v.role as Role))
    return fail(`--role must be one of ${ROLES.join(', ')}, got '${v.role ?? ''}'`);
  if (!v['password-stdin']) return fail('--password-stdin is required: pipe the password in (see --help)');
  const password = await readStdinLine();
  if (password.length < MIN_PASSWORD_LENGTH)
    return fail(`the password on stdin must be at least ${MIN_PASSWORD_LENGTH} characters`);
  const loaded = loadConfig();
  if (!loaded.ok) return fail(loaded.errors.join('; '));
  const tenant = v.tenant ?? 'default';
  try {
    const user = await withDatabase(loaded.config, async (db) => {
      await ensureTenant(db, tenant, tenant === 'default' ? 'Default insurer' : tenant);
      return createUser(db, {
        tenantId: tenant,
        email: v.email!,
        password,
        role: v.role as Role,
        driverId: v.driver ?? null,
      });
    });
    process.stdout.write(`${JSON.stringify(user, null, 2)}\n`);
    return 0;
  } catch (e) {
    // Expected refusals (duplicate email, unknown driver) name the problem; anything else is a crash.
    if (e instanceof ApiError) return fail(e.message.replace(/^driverId: /, '--driver: '));
    throw e;
  }
}
