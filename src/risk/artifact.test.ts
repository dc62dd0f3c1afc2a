import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain, parseArtifact, predict, serializeArtifact } from './artifact.ts';
import { type RawRow, takeRows } from './data/frame.ts';
import { InMemoryModelRegistry } from './registry.ts';
import { syntheticPortfolio } from './testing/synthetic.ts';
import { trainModel } from './train.ts';

const { frame } = syntheticPortfolio(4000, 5);
const learn = takeRows(
  frame,
  Array.from({ length: 3500 }, (_, i) => i),
);
const test_ = takeRows(
  frame,
  Array.from({ length: 500 }, (_, i) => 3500 + i),
);
const rawRows: RawRow[] = [
  { age: 22, power: 12, region: 'west', noise: 0.2 },
  { age: 65, power: 5, region: 'south', noise: 0.9 },
];

async function glmArtifact() {
  const r = await trainModel(learn, test_, {
    model: 'glm',
    target: 'claims',
    exposure: 'exposure',
    family: { name: 'poisson' },
    glmTerms: [
      { kind: 'numeric', column: 'age' },
      { kind: 'binned', column: 'power', breaks: [6, 9, 12] },
      { kind: 'categorical', column: 'region' },
    ],
  });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

async function gbmArtifact() {
  const r = await trainModel(learn, test_, {
    model: 'gbm',
    target: 'claims',
    exposure: 'exposure',
    family: { name: 'poisson' },
    gbmFeatures: [
      { column: 'age', monotone: -1 },
      { column: 'power' },
      { column: 'region' },
      { column: 'noise' },
    ],
    gbm: { nTrees: 60, maxDepth: 3, learningRate: 0.1, earlyStoppingRounds: 10 },
    seed: 3,
  });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

describe('model artifacts', () => {
  test('a GLM artifact round-trips through JSON and scores raw rows like frames', async () => {
    const { artifact, metrics } = await glmArtifact();
    assert.equal(artifact.formatVersion, 1);
    assert.equal(artifact.kind, 'glm');
    assert.match(artifact.training.dataSha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(artifact.inputs, ['age', 'power', 'region']);
    assert.ok(metrics.test && metrics.test.poissonDevianceX100! > 0);
    assert.ok(
      Math.abs(metrics.learn.actualToExpected - 1) < 1e-8,
      'a Poisson GLM with intercept balances in total',
    );
    const loaded = parseArtifact(serializeArtifact(artifact));
    assert.ok(loaded.ok);
    const fromRows = predict(loaded.value, rawRows);
    assert.ok(fromRows[0]! > fromRows[1]!, 'young, powerful, west is riskier');
    const fromFrame = predict(artifact, test_);
    assert.equal(fromFrame.length, 500);
    const e = explain(loaded.value, rawRows[0]!);
    const sum = e.contributions.reduce((s, c) => s + c.value, e.baseMargin);
    assert.ok(Math.abs(sum - Math.log(fromRows[0]!)) < 1e-12);
    assert.ok(Math.abs(e.prediction - fromRows[0]!) < 1e-12);
  });

  test('a GBM artifact explains each prediction exactly with TreeSHAP', async () => {
    const { artifact, metrics } = await gbmArtifact();
    assert.equal(artifact.kind, 'gbm');
    assert.equal(metrics.trees, artifact.kind === 'gbm' ? artifact.gbm.trees.length : -1);
    const loaded = parseArtifact(serializeArtifact(artifact));
    assert.ok(loaded.ok);
    const p = predict(loaded.value, rawRows);
    for (const [i, row] of rawRows.entries()) {
      const e = explain(loaded.value, row);
      assert.equal(e.contributions.length, 4);
      const sum = e.contributions.reduce((s, c) => s + c.value, e.baseMargin);
      assert.ok(Math.abs(sum - Math.log(p[i]!)) < 1e-9, `${sum} vs ${Math.log(p[i]!)}`);
    }
  });

  test('scoring a row without one of the inputs is an error naming it', async () => {
    const { artifact } = await glmArtifact();
    assert.throws(() => predict(artifact, [{ age: 30, power: 8 }]), /input 'region' is missing/);
  });

  test('parseArtifact names what is wrong', () => {
    const bad = (text: string) => {
      const r = parseArtifact(text);
      assert.ok(!r.ok);
      return r.error;
    };
    assert.equal(bad('{').code, 'bad_json');
    assert.equal(bad('{"formatVersion":2}').field, 'formatVersion');
    assert.equal(bad('{"formatVersion":1,"kind":"svm"}').field, 'kind');
  });

  test('training rejects a non-numeric target and unknown columns as values, not exceptions', async () => {
    const r = await trainModel(learn, null, { model: 'glm', target: 'region', family: { name: 'poisson' } });
    assert.ok(!r.ok && r.error.code === 'bad_target');
    const r2 = await trainModel(learn, null, {
      model: 'glm',
      target: 'claims',
      exposure: 'nope',
      family: { name: 'poisson' },
    });
    assert.ok(!r2.ok && r2.error.field === 'exposure');
  });
});

describe('in-memory model registry', () => {
  test('versions, champion promotion and listing', async () => {
    const reg = new InMemoryModelRegistry();
    const { artifact: a } = await glmArtifact();
    const v1 = await reg.save('frequency', a);
    const v2 = await reg.save('frequency', { ...a, name: 'second' });
    assert.deepEqual([v1.version, v2.version], [1, 2]);
    assert.equal(await reg.getChampion('frequency'), null);
    const missing = await reg.promote('frequency', 7);
    assert.ok(!missing.ok && missing.error.code === 'not_found');
    const promoted = await reg.promote('frequency', 2);
    assert.ok(promoted.ok && promoted.value.champion);
    const champ = await reg.getChampion('frequency');
    assert.equal(champ?.info.version, 2);
    assert.equal(champ?.artifact.name, 'second');
    const list = await reg.list('frequency');
    assert.deepEqual(
      list.map((v) => [v.version, v.champion]),
      [
        [1, false],
        [2, true],
      ],
    );
    assert.equal((await reg.get('frequency', 1))?.name, a.name);
    assert.equal(await reg.get('severity', 1), null);
    assert.equal((await reg.list()).length, 2);
  });
});
