import { randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

/** The stored value for key, creating it with make() on first use; concurrent starters agree on one value. */
export async function settingOrCreate(db: Db, key: string, make: () => string): Promise<string> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    key,
    make(),
  ]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
  return rows[0]!.value;
}

export const randomSecret = (): string => randomBytes(48).toString('base64url');
