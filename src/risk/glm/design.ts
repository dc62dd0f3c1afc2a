// The GLM design matrix as sparse rows: categorical terms take one slot per row, so X'WX costs
// O(n·slots²) instead of O(n·p²).
import { type Frame, getColumn } from '../data/frame.ts';
import {
  binIndex,
  clampTransform,
  levelLabels,
  numericValues,
  splineBasis,
  type TermEncoding,
} from './terms.ts';

/**
 * Sparse design rows: each row has `slots` (column, value) pairs; column −1 marks an inactive slot
 * (a reference level). Slot 0 is the intercept. Categorical terms use one slot, so X'WX costs O(n·slots²).
 */
export interface Design {
  nRows: number;
  nCols: number;
  slots: number;
  cols: Int32Array;
  vals: Float64Array;
  names: string[];
}

export function buildDesign(frame: Frame, terms: readonly TermEncoding[]): Design {
  const n = frame.nRows;
  const names = ['(Intercept)', ...terms.flatMap((t) => t.columns)];
  const slots = 1 + terms.reduce((s, t) => s + (t.kind === 'spline' ? t.columns.length : 1), 0);
  const cols = new Int32Array(n * slots).fill(-1);
  const vals = new Float64Array(n * slots);
  for (let i = 0; i < n; i++) {
    cols[i * slots] = 0;
    vals[i * slots] = 1;
  }
  let slot = 1;
  let first = 1;
  const tmp = new Float64Array(64);
  for (const t of terms) {
    const col = getColumn(frame, t.column);
    if (t.kind === 'numeric') {
      const v = numericValues(col, t.name, t.ordinal);
      for (let i = 0; i < n; i++) {
        cols[i * slots + slot] = first;
        vals[i * slots + slot] = clampTransform(v[i]!, t);
      }
    } else if (t.kind === 'categorical') {
      const { labels, codes } = levelLabels(col, t.max);
      // Unseen levels fall back to the reference (relativity 1).
      const map = labels.map((l) =>
        l === t.reference ? -1 : t.levels.filter((x) => x !== t.reference).indexOf(l),
      );
      for (let i = 0; i < n; i++) {
        const j = map[codes[i]!]!;
        if (j >= 0) {
          cols[i * slots + slot] = first + j;
          vals[i * slots + slot] = 1;
        }
      }
    } else if (t.kind === 'binned') {
      const v = numericValues(col, t.name);
      for (let i = 0; i < n; i++) {
        const b = binIndex(v[i]!, t.breaks);
        if (b !== t.reference) {
          cols[i * slots + slot] = first + (b < t.reference ? b : b - 1);
          vals[i * slots + slot] = 1;
        }
      }
    } else {
      const v = numericValues(col, t.name);
      const k = t.columns.length;
      for (let i = 0; i < n; i++) {
        splineBasis(v[i]!, t.knots, tmp, 0);
        for (let j = 0; j < k; j++) {
          cols[i * slots + slot + j] = first + j;
          vals[i * slots + slot + j] = tmp[j]!;
        }
      }
    }
    slot += t.kind === 'spline' ? t.columns.length : 1;
    first += t.columns.length;
  }
  return { nRows: n, nCols: names.length, slots, cols, vals, names };
}
