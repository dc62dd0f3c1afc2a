// Opaque cursors for keyset pagination: the last row's sort key, base64url JSON.
import { badRequest } from './errors.ts';

export function encodeCursor(key: Array<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor whose parts must have these types; a malformed one is the caller's error. */
export function decodeCursor(raw: string, types: Array<'string' | 'number'>): Array<string | number> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('cursor: not a cursor this API returned');
  }
  if (!Array.isArray(v) || v.length !== types.length || v.some((x, i) => typeof x !== types[i]))
    throw badRequest('cursor: not a cursor this API returned');
  return v as Array<string | number>;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
