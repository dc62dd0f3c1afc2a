// GLM terms: a spec says what to build from a column; fitting it on training data gives an encoding
// (levels, reference, knots) that is stored in the model artifact and re-applied to new data.
import { type Column, type Frame, getColumn } from '../data/frame.ts';

export type TermSpec =
  | {
      kind: 'numeric';
      column: string;
      /** Applied after clamping to [min, max]; log1p suits heavy-tailed rates that can be 0 (events per 100 km). */
      transform?: 'identity' | 'log' | 'log1p';
      min?: number;
      max?: number;
      /** For a text column: its levels in order, coded 1..k (e.g. Area A..F → 1..6). */
      ordinal?: string[];
    }
  | {
      kind: 'categorical';
      column: string;
      /** Default: the level with the most weight (exposure), so relativities read against the bulk. */
      reference?: string;
      /** For a numeric column: values are capped at this before becoming levels (e.g. VehPower ≤ 9). */
      max?: number;
    }
  | {
      kind: 'binned';
      column: string;
      /** Increasing cut points; bin i is [breaks[i-1], breaks[i]), the first and last unbounded. */
      breaks: number[];
      /** Reference bin index; default the bin with the most weight. */
      reference?: number;
    }
  | {
      kind: 'spline';
      column: string;
      /** Natural cubic spline knots, or a count (placed at weighted quantiles). At least 3. */
      knots: number[] | number;
    };

interface Base {
  name: string;
  column: string;
  /** Design column names this term contributes. */
  columns: string[];
}
export type TermEncoding = Base &
  (
    | {
        kind: 'numeric';
        transform: 'identity' | 'log' | 'log1p';
        min?: number;
        max?: number;
        ordinal?: string[];
      }
    | { kind: 'categorical'; levels: string[]; reference: string; max?: number }
    | { kind: 'binned'; breaks: number[]; reference: number; labels: string[] }
    | { kind: 'spline'; knots: number[] }
  );

/** Numeric value of a column for a numeric/binned/spline term (ordinal text mapped to 1..k). */
export function numericValues(col: Column, name: string, ordinal?: string[]): Float64Array {
  if (col.kind === 'numeric') return col.values;
  if (!ordinal)
    throw new Error(`term '${name}': column is text; use a categorical term or give ordinal levels`);
  const map = col.levels.map((l) => {
    const i = ordinal.indexOf(l);
    return i < 0 ? Number.NaN : i + 1;
  });
  return Float64Array.from(col.codes, (c) => map[c]!);
}

/** Level label of each row for a categorical term, as indices into the frame's own label list. */
export function levelLabels(col: Column, max: number | undefined): { labels: string[]; codes: Int32Array } {
  if (col.kind === 'categorical') return { labels: col.levels, codes: col.codes };
  const labels: string[] = [];
  const index = new Map<number, number>();
  const codes = new Int32Array(col.values.length);
  for (let i = 0; i < codes.length; i++) {
    const v = max === undefined ? col.values[i]! : Math.min(col.values[i]!, max);
    let c = index.get(v);
    if (c === undefined) {
      c = labels.length;
      index.set(v, c);
      labels.push(String(v));
    }
    codes[i] = c;
  }
  return { labels, codes };
}

export function clampTransform(
  v: number,
  t: { transform: 'identity' | 'log' | 'log1p'; min?: number; max?: number },
): number {
  if (t.min !== undefined && v < t.min) v = t.min;
  if (t.max !== undefined && v > t.max) v = t.max;
  return t.transform === 'log' ? Math.log(v) : t.transform === 'log1p' ? Math.log1p(v) : v;
}

export function binIndex(v: number, breaks: readonly number[]): number {
  let b = 0;
  while (b < breaks.length && v >= breaks[b]!) b++;
  return b;
}

function compareLevels(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function weightedQuantile(values: Float64Array, weight: ArrayLike<number>, q: number): number {
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  let tot = 0;
  for (const i of order) tot += weight[i]!;
  let cum = 0;
  for (const i of order) {
    cum += weight[i]!;
    if (cum >= q * tot) return values[i]!;
  }
  return values[order[order.length - 1]!]!;
}

/** Natural cubic spline basis (ESL eq. 5.4–5.5) on x scaled to the knot range: K knots give K−1 columns. */
export function splineBasis(x: number, knots: readonly number[], out: Float64Array, at: number): void {
  const k = knots.length;
  const lo = knots[0]!;
  const span = knots[k - 1]! - lo;
  const u = (x - lo) / span;
  const kn = (j: number): number => (knots[j]! - lo) / span;
  const d = (j: number): number => {
    const a = Math.max(0, u - kn(j)) ** 3;
    const b = Math.max(0, u - kn(k - 1)) ** 3;
    return (a - b) / (kn(k - 1) - kn(j));
  };
  out[at] = u;
  const dLast = d(k - 2);
  for (let j = 0; j < k - 2; j++) out[at + 1 + j] = d(j) - dLast;
}

/** Fits term encodings on training data; `weight` (e.g. exposure) chooses default references and spline knots. */
export function fitTerms(
  frame: Frame,
  specs: readonly TermSpec[],
  weight?: ArrayLike<number>,
): TermEncoding[] {
  const w = weight ?? new Float64Array(frame.nRows).fill(1);
  return specs.map((spec) => fitTerm(frame, spec, w));
}

function fitTerm(frame: Frame, spec: TermSpec, w: ArrayLike<number>): TermEncoding {
  const col = getColumn(frame, spec.column);
  const name = spec.column;
  switch (spec.kind) {
    case 'numeric': {
      const t = {
        transform: spec.transform ?? 'identity',
        ...pick(spec, 'min', 'max', 'ordinal'),
      } as const;
      const vals = numericValues(col, name, spec.ordinal);
      for (let i = 0; i < vals.length; i++) {
        if (!Number.isFinite(clampTransform(vals[i]!, t))) {
          throw new Error(`term '${name}': row ${i + 1} has no usable value (${vals[i]})`);
        }
      }
      return { kind: 'numeric', name, column: spec.column, columns: [name], ...t };
    }
    case 'categorical': {
      const { labels, codes } = levelLabels(col, spec.max);
      const wsum = new Float64Array(labels.length);
      const seen = new Uint8Array(labels.length);
      for (let i = 0; i < codes.length; i++) {
        wsum[codes[i]!]! += w[i]!;
        seen[codes[i]!] = 1;
      }
      const used = labels.map((l, c) => ({ l, c })).filter((x) => seen[x.c]);
      let best = used[0];
      for (const u of used) if (wsum[u.c]! > wsum[best!.c]!) best = u;
      const levels = used.map((u) => u.l).sort(compareLevels);
      const reference = spec.reference ?? best!.l;
      if (!levels.includes(reference))
        throw new Error(`term '${name}': reference level '${reference}' not in data`);
      const columns = levels.filter((l) => l !== reference).map((l) => `${name}=${l}`);
      return {
        kind: 'categorical',
        name,
        column: spec.column,
        columns,
        levels,
        reference,
        ...pick(spec, 'max'),
      };
    }
    case 'binned': {
      const vals = numericValues(col, name);
      const breaks = [...spec.breaks];
      const wsum = new Float64Array(breaks.length + 1);
      for (let i = 0; i < vals.length; i++) wsum[binIndex(vals[i]!, breaks)]! += w[i]!;
      const reference = spec.reference ?? wsum.indexOf(Math.max(...wsum));
      const labels = Array.from(
        { length: breaks.length + 1 },
        (_, b) => `[${b === 0 ? '-Inf' : breaks[b - 1]},${b === breaks.length ? 'Inf' : breaks[b]})`,
      );
      const columns = labels.filter((_, b) => b !== reference).map((l) => `${name}${l}`);
      return { kind: 'binned', name, column: spec.column, columns, breaks, reference, labels };
    }
    case 'spline': {
      const vals = numericValues(col, name);
      const knots =
        typeof spec.knots === 'number'
          ? Array.from({ length: spec.knots }, (_, j) =>
              weightedQuantile(vals, w, j / ((spec.knots as number) - 1)),
            )
          : [...spec.knots];
      if (knots.length < 3 || knots.some((k, j) => j > 0 && !(k > knots[j - 1]!))) {
        throw new Error(`term '${name}': spline needs at least 3 increasing knots, got ${knots.join(',')}`);
      }
      const columns = Array.from({ length: knots.length - 1 }, (_, j) => `${name}:ns${j + 1}`);
      return { kind: 'spline', name, column: spec.column, columns, knots };
    }
  }
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
