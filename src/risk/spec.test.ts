import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv } from './data/csv.ts';
import { gbmFeaturesFromFeatures, glmTermsFromFeatures, parseFeatureList } from './spec.ts';

const frame = parseCsv(
  'Area,VehPower,VehAge,DrivAge,BonusMalus,VehBrand,VehGas,Density,Region\nD,5,0,55,50,B12,Regular,1217,R82\n',
);

test('the GLM1 feature string gives the GLM1 terms of Noll et al.', () => {
  const text =
    'Area:ordinal=A/B/C/D/E/F,VehPower:cat:max=9,VehAge:bins=1/11,DrivAge:bins=21/26/31/41/51/71,' +
    'BonusMalus:max=150,VehBrand,VehGas,Density:log,Region:ref=R24';
  const r = glmTermsFromFeatures(frame, parseFeatureList(text));
  assert.ok(r.ok);
  assert.deepEqual(r.value, [
    { kind: 'numeric', column: 'Area', transform: 'identity', ordinal: ['A', 'B', 'C', 'D', 'E', 'F'] },
    { kind: 'categorical', column: 'VehPower', max: 9 },
    { kind: 'binned', column: 'VehAge', breaks: [1, 11] },
    { kind: 'binned', column: 'DrivAge', breaks: [21, 26, 31, 41, 51, 71] },
    { kind: 'numeric', column: 'BonusMalus', transform: 'identity', max: 150 },
    { kind: 'categorical', column: 'VehBrand' },
    { kind: 'categorical', column: 'VehGas' },
    { kind: 'numeric', column: 'Density', transform: 'log' },
    { kind: 'categorical', column: 'Region', reference: 'R24' },
  ]);
});

test('GBM features take kinds and monotone directions; bad options are errors naming the feature', () => {
  const r = gbmFeaturesFromFeatures(frame, parseFeatureList('BonusMalus:mono=+1, VehPower:cat ,Region'));
  assert.ok(r.ok);
  assert.deepEqual(r.value, [
    { column: 'BonusMalus', monotone: 1 },
    { column: 'VehPower', kind: 'categorical' },
    { column: 'Region' },
  ]);
  const bad = gbmFeaturesFromFeatures(frame, parseFeatureList('Region:num'));
  assert.ok(!bad.ok && /Region/.test(bad.error.message));
  const unknown = glmTermsFromFeatures(frame, parseFeatureList('Density:sqrt'));
  assert.ok(!unknown.ok && /unknown option 'sqrt'/.test(unknown.error.message));
});
