import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseCsv, readCsv } from './csv.ts';
import { cellString, hashColumns, takeRows } from './frame.ts';

describe('CSV reader', () => {
  test('infers numeric and text columns into typed arrays', () => {
    const f = parseCsv('id,n,area\n1,0.1,A\n2,-3e2,B\n3,7,A\n');
    assert.equal(f.nRows, 3);
    const n = f.columns.n!;
    assert.ok(n.kind === 'numeric');
    assert.deepEqual(Array.from(n.values), [0.1, -300, 7]);
    const area = f.columns.area!;
    assert.ok(area.kind === 'categorical');
    assert.deepEqual(area.levels, ['A', 'B']);
    assert.deepEqual(Array.from(area.codes), [0, 1, 0]);
  });

  test('decimal parsing is exact (same double as Number())', () => {
    const values = ['0.77', '0.1', '123456.789', '1e-7', '00012', '.5', '-0.0001', '3.141592653589793'];
    const f = parseCsv(`x\n${values.join('\n')}\n`);
    const x = f.columns.x!;
    assert.ok(x.kind === 'numeric');
    assert.deepEqual(Array.from(x.values), values.map(Number));
  });

  test('handles quotes, embedded commas, CRLF, missing values and a missing final newline', () => {
    const f = parseCsv('a,b,c\r\n"x, y",1,\r\n"say ""hi""",NA,2\r\nz,3,4');
    assert.deepEqual(
      [0, 1, 2].map((i) => cellString(f.columns.a!, i)),
      ['x, y', 'say "hi"', 'z'],
    );
    const b = f.columns.b!;
    assert.ok(b.kind === 'numeric' && Number.isNaN(b.values[1]!) && b.values[2] === 3);
    const c = f.columns.c!;
    assert.ok(c.kind === 'numeric' && Number.isNaN(c.values[0]!) && c.values[1] === 2);
  });

  test('a column that turns out to hold text becomes categorical', () => {
    const f = parseCsv('code\n10\n20\nX1\n10\n');
    const c = f.columns.code!;
    assert.ok(c.kind === 'categorical');
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => cellString(c, i)),
      ['10', '20', 'X1', '10'],
    );
  });

  test('reads a file across chunk boundaries identically to one parse', () => {
    const lines = ['id,val,cat'];
    for (let i = 0; i < 500; i++) lines.push(`${i},${(i * 0.37).toFixed(2)},c${i % 7}`);
    const text = `${lines.join('\n')}\n`;
    const dir = mkdtempSync(join(tmpdir(), 'csv-'));
    const path = join(dir, 'data.csv');
    writeFileSync(path, text);
    const chunked = readCsv(path, { chunkBytes: 64 });
    const whole = parseCsv(text);
    assert.equal(chunked.nRows, 500);
    assert.equal(hashColumns(chunked, ['id', 'val', 'cat']), hashColumns(whole, ['id', 'val', 'cat']));
  });

  test('rejects rows with the wrong number of fields, naming the line', () => {
    assert.throws(() => parseCsv('a,b\n1,2\n3\n'), /line 3: expected 2 fields, found 1/);
  });

  test('keeps only requested columns and forces types', () => {
    const f = parseCsv('a,b,c\n1,2,3\n', { columns: ['c', 'a'], types: { a: 'categorical' } });
    assert.deepEqual(f.names, ['a', 'c']);
    assert.equal(f.columns.a!.kind, 'categorical');
    assert.throws(() => parseCsv('a\n1\n', { columns: ['zz'] }), /column 'zz' not found/);
  });

  test('takeRows selects rows of every column', () => {
    const f = takeRows(parseCsv('a,b\n1,x\n2,y\n3,z\n'), [2, 0]);
    assert.deepEqual(
      [0, 1].map((i) => cellString(f.columns.b!, i)),
      ['z', 'x'],
    );
  });
});
