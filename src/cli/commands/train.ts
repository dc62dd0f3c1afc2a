// openubi train: fit a GLM or boosting frequency model from a CSV; print metrics JSON, save model + metrics.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cellString,
  createRng,
  type Family,
  type Frame,
  gbmFeaturesFromFeatures,
  glmTermsFromFeatures,
  parseFeatureList,
  permutation,
  readCsv,
  serializeArtifact,
  takeRows,
  trainModel,
} from '../../risk/index.ts';
import { loadConfig } from '../../config/index.ts';
import type { ModelArtifact } from '../../risk/index.ts';
import { createPgModelRegistry, ensureTenant } from '../../store/index.ts';
import { numberOption, parseCommandArgs } from '../args.ts';
import { withDatabase } from '../database.ts';

export const summary =
  'fit a claim-frequency model (GLM or gradient boosting) from a CSV; print and save metrics';

const USAGE = `usage: openubi train --data CSV --target COL --model glm|gbm [options]

  --data CSV            training data with a header line
  --target COL          response column (claim count; amount for gamma/tweedie)
  --exposure COL        exposure column (years); Poisson uses log(exposure) as offset
  --model glm|gbm       generalised linear model or histogram gradient boosting
  --split CSV           ID,split file (split = learn|test) matched on the data's ID column;
                        default: a seeded 10% of rows is the test set
  --features a,b,c      input columns, with options (see docs/risk.md), e.g.
                        Area:ordinal=A/B/C/D/E/F,DrivAge:bins=21/26/31,Density:log,BonusMalus:mono=+1
                        default: every column but the target, exposure and split ID
  --family NAME         poisson (default) | gamma | tweedie
  --power P             Tweedie power (default 1.5)
  --target-max N        cap the target (e.g. 4 claims) before fitting
  --exposure-max N      cap the exposure (e.g. 1 year) before fitting
  --out DIR             write DIR/model.json and DIR/metrics.json
  --seed N              seed for splits and boosting subsampling (default 1)
  --name NAME           model name in the artifact
  --save NAME           also store the model in the database registry as a new version of NAME
  --tenant T            tenant the saved model belongs to (default: default)
  --promote             with --save: make the new version the champion of NAME
 GLM:  --lambda X --alpha X   elastic-net penalty (default none)
 GBM:  --trees N (500) --depth N (6) --learning-rate X (0.05) --min-hessian X (1) --l2 X (1)
       --subsample X (1) --colsample X (1) --threads N (1) --valid-fraction X (0.1) --no-refit
`;

const SPEC = {
  data: { type: 'string' },
  target: { type: 'string' },
  exposure: { type: 'string' },
  model: { type: 'string' },
  split: { type: 'string' },
  features: { type: 'string' },
  family: { type: 'string' },
  power: { type: 'string' },
  'target-max': { type: 'string' },
  'exposure-max': { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  name: { type: 'string' },
  lambda: { type: 'string' },
  alpha: { type: 'string' },
  trees: { type: 'string' },
  depth: { type: 'string' },
  'learning-rate': { type: 'string' },
  'min-hessian': { type: 'string' },
  l2: { type: 'string' },
  subsample: { type: 'string' },
  colsample: { type: 'string' },
  threads: { type: 'string' },
  'valid-fraction': { type: 'string' },
  'no-refit': { type: 'boolean' },
  save: { type: 'string' },
  tenant: { type: 'string' },
  promote: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function fail(message: string): number {
  process.stderr.write(`openubi train: ${message}\n`);
  return 2;
}

const progress = (msg: string): void => {
  process.stderr.write(`[train] ${msg}\n`);
};

function capColumn(frame: Frame, name: string | undefined, max: number | undefined): string | null {
  if (name === undefined || max === undefined) return null;
  const c = frame.columns[name];
  if (!c) return `column '${name}' is not in the data`;
  if (c.kind !== 'numeric') return `column '${name}' is not numeric`;
  for (let i = 0; i < c.values.length; i++) if (c.values[i]! > max) c.values[i] = max;
  return null;
}

/** learn/test row indices from a split file (first column: ID, second: learn|test). */
function splitRows(frame: Frame, path: string): { learn: number[]; test: number[]; idName: string } | string {
  const split = readCsv(path);
  const [idName, setName] = split.names;
  if (!idName || !setName)
    return `--split file must have two columns (ID, split), found ${split.names.join(',')}`;
  const idCol = frame.columns[idName];
  if (!idCol) return `--split ID column '${idName}' is not in the data`;
  const sets = new Map<string, string>();
  const sId = split.columns[idName]!;
  const sSet = split.columns[setName]!;
  for (let i = 0; i < split.nRows; i++) sets.set(cellString(sId, i), cellString(sSet, i));
  const learn: number[] = [];
  const test: number[] = [];
  let missing = 0;
  for (let i = 0; i < frame.nRows; i++) {
    const s = sets.get(cellString(idCol, i));
    if (s === 'learn' || s === 'train') learn.push(i);
    else if (s === 'test') test.push(i);
    else missing++;
  }
  if (missing) progress(`${missing} rows have no learn/test label in ${path}; left out`);
  if (learn.length === 0) return `--split file labels no rows of the data as 'learn'`;
  return { learn, test, idName };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, SPEC);
  if (!parsed.ok) return fail(`${parsed.message}\n${USAGE}`);
  const v = parsed.args.values;
  if (v.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const k of ['data', 'target', 'model'] as const)
    if (!v[k]) return fail(`--${k} is required\n${USAGE}`);
  if (v.model !== 'glm' && v.model !== 'gbm') return fail(`--model must be glm or gbm, got '${v.model}'`);
  if ((v.tenant !== undefined || v.promote) && !v.save)
    return fail('--tenant and --promote need --save NAME');
  if (v.save !== undefined && !/^[a-z0-9][a-z0-9._-]{0,99}$/i.test(v.save))
    return fail(`--save must be a model name of letters, digits, '.', '_' or '-', got '${v.save}'`);
  const familyName = v.family ?? 'poisson';
  if (!['poisson', 'gamma', 'tweedie'].includes(familyName)) {
    return fail(`--family must be poisson, gamma or tweedie, got '${familyName}'`);
  }
  const nums: Record<string, number> = {};
  const defaults: Record<string, number> = {
    power: 1.5,
    seed: 1,
    lambda: 0,
    alpha: 0,
    trees: 500,
    depth: 6,
    'learning-rate': 0.05,
    'min-hessian': 1,
    l2: 1,
    subsample: 1,
    colsample: 1,
    threads: 1,
    'valid-fraction': 0.1,
  };
  for (const [k, d] of Object.entries(defaults)) {
    const n = numberOption(k, v[k as keyof typeof v] as string | undefined, d);
    if (typeof n === 'string') return fail(n);
    nums[k] = n;
  }
  const caps: Record<string, number | undefined> = {};
  for (const k of ['target-max', 'exposure-max'] as const) {
    const n = numberOption(k, v[k], Number.NaN);
    if (typeof n === 'string') return fail(n);
    caps[k] = Number.isNaN(n) ? undefined : n;
  }
  if (!existsSync(v.data!)) return fail(`--data file '${v.data}' does not exist`);
  if (v.split && !existsSync(v.split)) return fail(`--split file '${v.split}' does not exist`);

  const t0 = performance.now();
  let frame: Frame;
  try {
    frame = readCsv(v.data!);
  } catch (e) {
    return fail(`cannot read --data '${v.data}': ${(e as Error).message}`);
  }
  progress(
    `read ${frame.nRows} rows × ${frame.names.length} columns in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
  );
  if (!frame.columns[v.target!])
    return fail(`--target column '${v.target}' is not in ${v.data} (columns: ${frame.names.join(', ')})`);
  if (frame.columns[v.target!]!.kind !== 'numeric')
    return fail(`--target column '${v.target}' is not numeric`);
  if (v.exposure && !frame.columns[v.exposure])
    return fail(`--exposure column '${v.exposure}' is not in ${v.data}`);
  for (const [col, cap] of [
    [v.target, caps['target-max']],
    [v.exposure, caps['exposure-max']],
  ] as const) {
    const problem = capColumn(frame, col, cap);
    if (problem) return fail(problem);
  }

  let learnIdx: number[];
  let testIdx: number[];
  let splitId: string | undefined;
  if (v.split) {
    let s: ReturnType<typeof splitRows>;
    try {
      s = splitRows(frame, v.split);
    } catch (e) {
      return fail(`cannot read --split '${v.split}': ${(e as Error).message}`);
    }
    if (typeof s === 'string') return fail(s);
    ({ learn: learnIdx, test: testIdx, idName: splitId } = s);
  } else {
    const perm = permutation(frame.nRows, createRng(nums.seed! + 1));
    const nTest = Math.round(frame.nRows * 0.1);
    testIdx = Array.from(perm.slice(0, nTest)).sort((a, b) => a - b);
    learnIdx = Array.from(perm.slice(nTest)).sort((a, b) => a - b);
  }

  const exclude = new Set([v.target!, ...(v.exposure ? [v.exposure] : []), ...(splitId ? [splitId] : [])]);
  const featureText = v.features ?? frame.names.filter((n) => !exclude.has(n)).join(',');
  const features = parseFeatureList(featureText);
  if (features.length === 0) return fail('--features lists no columns');
  const family: Family =
    familyName === 'tweedie'
      ? { name: 'tweedie', power: nums.power! }
      : { name: familyName as 'poisson' | 'gamma' };
  const specs =
    v.model === 'glm' ? glmTermsFromFeatures(frame, features) : gbmFeaturesFromFeatures(frame, features);
  if (!specs.ok) return fail(`--features: ${specs.error.message}`);

  const learn = takeRows(frame, learnIdx);
  const test = testIdx.length ? takeRows(frame, testIdx) : null;
  progress(`learn ${learn.nRows} rows, test ${test?.nRows ?? 0} rows`);
  const result = await trainModel(learn, test, {
    model: v.model,
    ...(v.name ? { name: v.name } : {}),
    target: v.target!,
    ...(v.exposure ? { exposure: v.exposure } : {}),
    family,
    ...(v.model === 'glm'
      ? { glmTerms: specs.value as never, glm: { lambda: nums.lambda!, alpha: nums.alpha! } }
      : {
          gbmFeatures: specs.value as never,
          gbm: {
            nTrees: nums.trees!,
            maxDepth: nums.depth!,
            learningRate: nums['learning-rate']!,
            minHessian: nums['min-hessian']!,
            lambda: nums.l2!,
            subsample: nums.subsample!,
            colsample: nums.colsample!,
            threads: nums.threads!,
          },
          validFraction: nums['valid-fraction']!,
          refit: !v['no-refit'],
        }),
    seed: nums.seed!,
    onProgress: progress,
  });
  if (!result.ok) return fail(result.error.message);
  const { artifact, metrics } = result.value;
  const summaryJson = {
    model: v.model,
    family,
    ...metrics,
  };
  const text = `${JSON.stringify(summaryJson, null, 2)}\n`;
  process.stdout.write(text);
  if (v.out) {
    mkdirSync(v.out, { recursive: true });
    writeFileSync(join(v.out, 'model.json'), serializeArtifact(artifact));
    writeFileSync(join(v.out, 'metrics.json'), text);
    progress(`wrote ${join(v.out, 'model.json')} and metrics.json`);
  }
  if (v.save) return saveToRegistry(artifact, v.save, v.tenant ?? 'default', v.promote === true);
  return 0;
}

/** Stores the artifact as a new version of `name` in the tenant's registry (and promotes it if asked). */
async function saveToRegistry(artifact: ModelArtifact, name: string, tenant: string, promote: boolean) {
  const loaded = loadConfig();
  if (!loaded.ok) return fail(loaded.errors.join('; '));
  return withDatabase(loaded.config, async (db) => {
    await ensureTenant(db, tenant, tenant === 'default' ? 'Default insurer' : tenant);
    const registry = createPgModelRegistry(db, tenant);
    const saved = await registry.save(name, artifact);
    progress(`saved ${name} version ${saved.version} for tenant ${tenant}`);
    if (promote) {
      const r = await registry.promote(name, saved.version, 'cli');
      if (!r.ok) return fail(r.error.message);
      progress(`promoted ${name} version ${saved.version} to champion`);
    }
    return 0;
  });
}
