// The export's column choices made for particular readers, on a file big enough for the writer's own choices to
// differ (hyparquet-writer RLE-encodes a boolean column of more than 16 values).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { columnsOf, rowsToColumns } from './export-schema.ts';

test('booleans are PLAIN-encoded (Spark 3.0-3.2 fails on RLE booleans) and timestamps are marked UTC for pandas', () => {
  const cols = columnsOf([
    ['flag', 'BOOLEAN'],
    ['at', 'TIMESTAMP'],
    ['n', 'INT32'],
  ]);
  const rows = Array.from({ length: 200 }, (_, i) => ({
    flag: i % 3 === 0,
    at: 1_700_000_000_000 + i,
    n: i,
  }));
  const meta = parquetMetadata(parquetWriteBuffer(rowsToColumns(cols, rows)));
  assert.equal(Number(meta.num_rows), 200);
  const flag = meta.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'flag');
  assert.ok(flag?.meta_data, 'no flag column chunk');
  assert.deepEqual(
    flag.meta_data.encodings.filter((e) => e !== 'RLE_DICTIONARY' && e !== 'PLAIN'),
    [],
    `flag encodings: ${flag.meta_data.encodings.join(', ')}`,
  );
  const pandas = JSON.parse(meta.key_value_metadata?.find((kv) => kv.key === 'pandas')?.value ?? '{}') as {
    columns?: Array<{ name: string; metadata?: { timezone?: string } }>;
  };
  assert.deepEqual(
    pandas.columns?.map((c) => [c.name, c.metadata?.timezone]),
    [['at', 'UTC']],
  );
});
