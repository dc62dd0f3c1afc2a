// A compact text form for features, used by the CLI's --features: `column[:option[:option…]]`.
//   GLM: cat | log | min=N | max=N | bins=a/b/c | spline=K | knots=a/b/c | ordinal=A/B/C | ref=LEVEL
//   GBM: cat | num | mono=+1 | mono=-1
// A bare column is numeric when the column is, categorical otherwise. Telematics features plug in the same
// way: `harshBrakesPer100Km:mono=+1`.
import type { Result } from '../domain/index.ts';
import { err, ok } from '../domain/index.ts';
import type { Frame } from './data/frame.ts';
import type { GbmFeatureSpec } from './gbm/binning.ts';
import type { TermSpec } from './glm/terms.ts';

export interface ParsedFeature {
  column: string;
  options: Map<string, string>;
}

export function parseFeatureList(text: string): ParsedFeature[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const [column, ...opts] = s.split(':');
      const options = new Map<string, string>();
      for (const o of opts) {
        const eq = o.indexOf('=');
        options.set(eq < 0 ? o : o.slice(0, eq), eq < 0 ? '' : o.slice(eq + 1));
      }
      return { column: column!, options };
    });
}

const GLM_OPTIONS = new Set([
  'cat',
  'log',
  'log1p',
  'min',
  'max',
  'bins',
  'spline',
  'knots',
  'ordinal',
  'ref',
]);
const GBM_OPTIONS = new Set(['cat', 'num', 'mono']);

function numbers(s: string): number[] {
  return s.split('/').map(Number);
}

function checkColumns(frame: Frame, features: readonly ParsedFeature[], allowed: Set<string>): Result<true> {
  for (const f of features) {
    if (!frame.columns[f.column])
      return err('unknown_column', `feature column '${f.column}' is not in the data`, 'features');
    for (const k of f.options.keys()) {
      if (!allowed.has(k))
        return err('bad_feature', `feature '${f.column}': unknown option '${k}'`, 'features');
    }
  }
  return ok(true);
}

export function glmTermsFromFeatures(frame: Frame, features: readonly ParsedFeature[]): Result<TermSpec[]> {
  const checked = checkColumns(frame, features, GLM_OPTIONS);
  if (!checked.ok) return checked;
  const out: TermSpec[] = [];
  for (const { column, options: o } of features) {
    const isText = frame.columns[column]!.kind === 'categorical';
    const num = (k: string): number | undefined => (o.has(k) ? Number(o.get(k)) : undefined);
    for (const k of ['min', 'max', 'spline'] as const) {
      const v = num(k);
      if (v !== undefined && !Number.isFinite(v))
        return err('bad_feature', `feature '${column}': ${k} must be a number`);
    }
    if (o.has('bins')) {
      const breaks = numbers(o.get('bins')!);
      if (breaks.some((b) => !Number.isFinite(b)))
        return err('bad_feature', `feature '${column}': bins must be numbers a/b/c`);
      const ref = num('ref');
      out.push({ kind: 'binned', column, breaks, ...(ref === undefined ? {} : { reference: ref }) });
    } else if (o.has('spline') || o.has('knots')) {
      out.push({ kind: 'spline', column, knots: o.has('knots') ? numbers(o.get('knots')!) : num('spline')! });
    } else if (o.has('cat') || (isText && !o.has('ordinal'))) {
      const max = num('max');
      out.push({
        kind: 'categorical',
        column,
        ...(o.has('ref') ? { reference: o.get('ref')! } : {}),
        ...(max === undefined ? {} : { max }),
      });
    } else {
      const min = num('min');
      const max = num('max');
      out.push({
        kind: 'numeric',
        column,
        transform: o.has('log') ? 'log' : o.has('log1p') ? 'log1p' : 'identity',
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
        ...(o.has('ordinal') ? { ordinal: o.get('ordinal')!.split('/') } : {}),
      });
    }
  }
  return ok(out);
}

export function gbmFeaturesFromFeatures(
  frame: Frame,
  features: readonly ParsedFeature[],
): Result<GbmFeatureSpec[]> {
  const checked = checkColumns(frame, features, GBM_OPTIONS);
  if (!checked.ok) return checked;
  const out: GbmFeatureSpec[] = [];
  for (const { column, options: o } of features) {
    const spec: GbmFeatureSpec = { column };
    if (o.has('cat')) spec.kind = 'categorical';
    if (o.has('num')) {
      if (frame.columns[column]!.kind !== 'numeric')
        return err('bad_feature', `feature '${column}' is text, not numeric`);
      spec.kind = 'numeric';
    }
    if (o.has('mono')) {
      const m = Number(o.get('mono'));
      if (m !== 1 && m !== -1) return err('bad_feature', `feature '${column}': mono must be +1 or -1`);
      spec.monotone = m;
    }
    out.push(spec);
  }
  return ok(out);
}
