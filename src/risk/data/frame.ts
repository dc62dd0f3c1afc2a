// Columnar table: one typed array per column, no per-row objects (678k rows stay a few MB).
import { createHash } from 'node:crypto';

export interface NumericColumn {
  kind: 'numeric';
  values: Float64Array;
}
export interface CategoricalColumn {
  kind: 'categorical';
  /** Index into `levels` for each row. */
  codes: Int32Array;
  levels: string[];
}
export type Column = NumericColumn | CategoricalColumn;

export interface Frame {
  nRows: number;
  /** Column names in file order. */
  names: string[];
  columns: Record<string, Column>;
}

export type RawRow = Record<string, string | number | null | undefined>;

export function getColumn(frame: Frame, name: string): Column {
  const c = frame.columns[name];
  if (!c) throw new Error(`column '${name}' not found (have: ${frame.names.join(', ')})`);
  return c;
}

export function numericColumn(frame: Frame, name: string): Float64Array {
  const c = getColumn(frame, name);
  if (c.kind !== 'numeric') throw new Error(`column '${name}' is not numeric`);
  return c.values;
}

/** The string value of row i of a column (numbers formatted as JavaScript does). */
export function cellString(c: Column, i: number): string {
  if (c.kind === 'numeric') return String(c.values[i]);
  return c.levels[c.codes[i]!] ?? '';
}

/** Rows `idx` of every column, in that order. */
export function takeRows(frame: Frame, idx: ArrayLike<number>): Frame {
  const columns: Record<string, Column> = {};
  const n = idx.length;
  for (const name of frame.names) {
    const c = frame.columns[name]!;
    if (c.kind === 'numeric') {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = c.values[idx[i]!]!;
      columns[name] = { kind: 'numeric', values: v };
    } else {
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = c.codes[idx[i]!]!;
      columns[name] = { kind: 'categorical', codes, levels: c.levels };
    }
  }
  return { nRows: n, names: [...frame.names], columns };
}

/** Builds a frame from row objects (used to score a handful of rows, e.g. from an API call). */
export function frameFromRows(rows: readonly RawRow[], names: readonly string[]): Frame {
  const columns: Record<string, Column> = {};
  for (const name of names) {
    const numeric = rows.every((r) => {
      const v = r[name];
      return v === null || v === undefined || typeof v === 'number';
    });
    if (numeric) {
      const values = new Float64Array(rows.length);
      rows.forEach((r, i) => {
        const v = r[name];
        values[i] = typeof v === 'number' ? v : Number.NaN;
      });
      columns[name] = { kind: 'numeric', values };
    } else {
      const levels: string[] = [];
      const index = new Map<string, number>();
      const codes = new Int32Array(rows.length);
      rows.forEach((r, i) => {
        const s = r[name] === null || r[name] === undefined ? '' : String(r[name]);
        let code = index.get(s);
        if (code === undefined) {
          code = levels.length;
          index.set(s, code);
          levels.push(s);
        }
        codes[i] = code;
      });
      columns[name] = { kind: 'categorical', codes, levels };
    }
  }
  return { nRows: rows.length, names: [...names], columns };
}

/**
 * sha256 over the named columns' contents (values or level strings per row, in row order), so a model
 * records exactly which data it was trained on regardless of file formatting.
 */
export function hashColumns(frame: Frame, names: readonly string[]): string {
  const h = createHash('sha256');
  h.update(`rows=${frame.nRows};`);
  for (const name of names) {
    const c = getColumn(frame, name);
    h.update(`${name}:${c.kind};`);
    if (c.kind === 'numeric') {
      h.update(new Uint8Array(c.values.buffer, c.values.byteOffset, c.values.byteLength));
    } else {
      h.update(JSON.stringify(c.levels));
      h.update(new Uint8Array(c.codes.buffer, c.codes.byteOffset, c.codes.byteLength));
    }
  }
  return h.digest('hex');
}
