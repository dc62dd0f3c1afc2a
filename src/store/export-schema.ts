// Typed Parquet columns for the analytics export: explicit schema elements (UTC millisecond timestamps with
// both the logical and the legacy converted type, so old and new readers agree), every column nullable.
// Two choices are for particular readers (checked by `openubi bench parquet-readers`):
// - booleans are PLAIN-encoded: hyparquet-writer would RLE-encode them (in its v2 data pages) once a column
//   has more than 16 values, and Spark 3.0-3.2's vectorized Parquet reader, on by default, fails on RLE
//   booleans with "Unsupported encoding: RLE" (fixed in 3.3 by SPARK-37864);
// - the footer carries pandas metadata (key "pandas") naming the timestamp columns as UTC: fastparquet takes a
//   timestamp's time zone only from there, not from the logical type's isAdjustedToUTC, and would otherwise
//   give naive datetime64 values. pyarrow, DuckDB, hyparquet and Spark ignore it or agree with it.
import type { ColumnSource, KeyValue, SchemaElement } from 'hyparquet-writer';

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

/** The pandas metadata pyarrow writes, reduced to what fastparquet needs: the UTC timestamp columns. */
function pandasMetadata(cols: Column[]): KeyValue {
  const columns = cols
    .filter((c) => c.type === 'TIMESTAMP')
    .map((c) => ({
      name: c.name,
      field_name: c.name,
      pandas_type: 'datetimetz',
      numpy_type: 'datetime64[ms]',
      metadata: { timezone: 'UTC' },
    }));
  return {
    key: 'pandas',
    value: JSON.stringify({
      index_columns: [],
      column_indexes: [],
      columns,
      creator: { library: 'openubi', version: '1' },
    }),
  };
}

/** hyparquet-writer's input: the explicit schema, one value array per column and the footer metadata. */
export function rowsToColumns(
  cols: Column[],
  rows: Array<Record<string, unknown>>,
): { schema: SchemaElement[]; columnData: ColumnSource[]; kvMetadata: KeyValue[] } {
  return {
    schema: [{ name: 'root', num_children: cols.length }, ...cols.map(element)] as SchemaElement[],
    columnData: cols.map((c) => ({
      name: c.name,
      data: rows.map((r) => value(c.type, r[c.name])),
      ...(c.type === 'BOOLEAN' ? { encoding: 'PLAIN' as const } : {}),
    })),
    kvMetadata: [pandasMetadata(cols)],
  };
}
