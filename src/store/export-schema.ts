// Typed Parquet columns for the analytics export: explicit schema elements (UTC millisecond timestamps with
// both the logical and the legacy converted type, so old and new readers agree), every column nullable.
import type { SchemaElement } from 'hyparquet-writer';

export type ColumnType = 'STRING' | 'DOUBLE' | 'INT32' | 'BOOLEAN' | 'TIMESTAMP';

export interface Column {
  name: string;
  type: ColumnType;
}

export const columnsOf = (defs: ReadonlyArray<readonly [string, ColumnType]>): Column[] =>
  defs.map(([name, type]) => ({ name, type }));

function element(c: Column): SchemaElement {
  const base = { name: c.name, repetition_type: 'OPTIONAL' as const };
  switch (c.type) {
    case 'STRING':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'DOUBLE':
      return { ...base, type: 'DOUBLE' };
    case 'INT32':
      return { ...base, type: 'INT32' };
    case 'BOOLEAN':
      return { ...base, type: 'BOOLEAN' };
    case 'TIMESTAMP':
      return {
        ...base,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
  }
}

function value(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'STRING':
      return String(v);
    case 'DOUBLE':
    case 'INT32': {
      const n = Number(v);
      return Number.isFinite(n) ? (type === 'INT32' ? Math.round(n) : n) : null;
    }
    case 'BOOLEAN':
      return Boolean(v);
    case 'TIMESTAMP':
      return v instanceof Date ? v : new Date(Number(v));
  }
}

/** hyparquet-writer's input: the explicit schema and one value array per column. */
export function rowsToColumns(cols: Column[], rows: Array<Record<string, unknown>>) {
  return {
    schema: [{ name: 'root', num_children: cols.length }, ...cols.map(element)] as SchemaElement[],
    columnData: cols.map((c) => ({ name: c.name, data: rows.map((r) => value(c.type, r[c.name])) })),
  };
}
