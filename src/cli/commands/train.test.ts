import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createRng } from '../../risk/prng.ts';
import { run } from './train.ts';

const dir = mkdtempSync(join(tmpdir(), 'openubi-train-'));
const data = join(dir, 'policies.csv');
const split = join(dir, 'split.csv');
{
  const rng = createRng(1);
  const lines = ['PolicyID,Claims,Exposure,Age,Region,Note'];
  const splitLines = ['PolicyID,set'];
  for (let i = 0; i < 800; i++) {
    const age = 18 + rng.int(60);
    const claims = rng.next() < 0.05 + (age < 25 ? 0.1 : 0) ? 1 : 0;
    lines.push(
      `${i},${claims},${(0.2 + 0.8 * rng.next()).toFixed(3)},${age},${['N', 'S', 'E'][rng.int(3)]},x${i % 3}`,
    );
    splitLines.push(`${i},${i % 10 === 0 ? 'test' : 'learn'}`);
  }
  writeFileSync(data, `${lines.join('\n')}\n`);
  writeFileSync(split, `${splitLines.join('\n')}\n`);
}

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    const code = await run(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

const base = ['--data', data, '--target', 'Claims', '--exposure', 'Exposure'];

describe('openubi train', () => {
  test('fits a GLM with a split file and writes model.json and metrics.json', async () => {
    const out = join(dir, 'glm');
    const r = await capture([
      ...base,
      '--model',
      'glm',
      '--split',
      split,
      '--features',
      'Age:bins=25/40/60,Region',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    const metrics = JSON.parse(r.out);
    assert.equal(metrics.learn.rows, 720);
    assert.equal(metrics.test.rows, 80);
    assert.ok(Number.isFinite(metrics.test.poissonDevianceX100));
    assert.ok(existsSync(join(out, 'model.json')));
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')), metrics);
    assert.match(r.err, /\[train\] read 800 rows/);
  });

  test('fits a GBM with default features (all but target, exposure and split ID)', async () => {
    const out = join(dir, 'gbm');
    const r = await capture([
      ...base,
      '--model',
      'gbm',
      '--split',
      split,
      '--trees',
      '20',
      '--depth',
      '3',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(model.kind, 'gbm');
    assert.deepEqual(model.inputs, ['Age', 'Region', 'Note']);
  });

  const errors: [string, string[], RegExp][] = [
    ['no --data', ['--target', 'Claims', '--model', 'glm'], /--data is required/],
    [
      'a missing file',
      ['--data', join(dir, 'nope.csv'), '--target', 'Claims', '--model', 'glm'],
      /nope\.csv' does not exist/,
    ],
    [
      'a missing target column',
      ['--data', data, '--target', 'Loss', '--model', 'glm'],
      /--target column 'Loss' is not in/,
    ],
    [
      'a non-numeric target',
      ['--data', data, '--target', 'Region', '--model', 'glm'],
      /--target column 'Region' is not numeric/,
    ],
    ['an unknown model', [...base, '--model', 'forest'], /--model must be glm or gbm, got 'forest'/],
    ['an unknown family', [...base, '--model', 'glm', '--family', 'binomial'], /--family must be/],
    [
      'a missing exposure column',
      ['--data', data, '--target', 'Claims', '--exposure', 'Years', '--model', 'glm'],
      /--exposure column 'Years'/,
    ],
    [
      'an unknown feature column',
      [...base, '--model', 'glm', '--features', 'Age,Colour'],
      /feature column 'Colour'/,
    ],
    [
      'a bad feature option',
      [...base, '--model', 'gbm', '--features', 'Age:mono=2'],
      /mono must be \+1 or -1/,
    ],
    ['a non-numeric option', [...base, '--model', 'gbm', '--trees', 'many'], /--trees must be a number/],
    ['an unknown option', [...base, '--model', 'glm', '--colour', 'red'], /Unknown option '--colour'/],
  ];
  for (const [what, argv, message] of errors) {
    test(`exits 2 with a clear error for ${what}`, async () => {
      const r = await capture(argv);
      assert.equal(r.code, 2);
      assert.match(r.err, message);
      assert.equal(r.out, '');
    });
  }

  test('--help prints usage and exits 0', async () => {
    const r = await capture(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /usage: openubi train/);
  });
});
