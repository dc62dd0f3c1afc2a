// Growable typed-array columns for the CSV reader: numbers in a Float64Array, text as Int32 codes into
// a level list, interned by byte hash so repeated levels allocate no strings.
import type { Column } from './frame.ts';

export class ColumnBuilder {
  kind: 'unknown' | 'numeric' | 'categorical';
  n = 0;
  nums = new Float64Array(1024);
  codes = new Int32Array(0);
  levels: string[] = [];
  index = new Map<string, number>();
  /** Interning by byte hash, so repeated levels cost no string allocation. */
  private byHash = new Map<number, { bytes: Uint8Array; code: number }[]>();
  constructor(forced: 'numeric' | 'categorical' | undefined) {
    this.kind = forced ?? 'unknown';
    if (forced === 'categorical') this.codes = new Int32Array(1024);
  }
  pushNumber(v: number): void {
    if (this.n === this.nums.length) this.nums = grow(this.nums);
    this.nums[this.n++] = v;
  }
  pushString(s: string): void {
    let code = this.index.get(s);
    if (code === undefined) {
      code = this.levels.length;
      this.index.set(s, code);
      this.levels.push(s);
    }
    this.pushCode(code);
  }
  private pushCode(code: number): void {
    if (this.n === this.codes.length) this.codes = grow(this.codes);
    this.codes[this.n++] = code;
  }
  pushBytes(buf: Buffer, s: number, e: number, quoted: boolean): void {
    let h = 0x811c9dc5 ^ (quoted ? 1 : 0);
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i]!, 16777619);
    const bucket = this.byHash.get(h);
    if (bucket) {
      for (const cand of bucket) {
        if (sameBytes(cand.bytes, buf, s, e)) {
          this.pushCode(cand.code);
          return;
        }
      }
    }
    const text = decode(buf, s, e, quoted);
    this.pushString(text);
    const entry = { bytes: Uint8Array.from(buf.subarray(s, e)), code: this.codes[this.n - 1]! };
    if (bucket) bucket.push(entry);
    else this.byHash.set(h, [entry]);
  }
  reserve(rows: number): void {
    if (this.kind === 'categorical') {
      if (rows > this.codes.length) this.codes = resize(this.codes, rows);
    } else if (rows > this.nums.length) this.nums = resize(this.nums, rows);
  }
  /** A text value arrived in a numeric column: earlier numbers become their string form. */
  toCategorical(): void {
    const nums = this.nums.subarray(0, this.n);
    this.kind = 'categorical';
    this.n = 0;
    this.codes = new Int32Array(Math.max(1024, nums.length * 2));
    for (const v of nums) this.pushString(Number.isNaN(v) ? '' : String(v));
  }
  finish(): Column {
    if (this.kind === 'categorical')
      return { kind: 'categorical', codes: fit(this.codes, this.n), levels: this.levels };
    return { kind: 'numeric', values: fit(this.nums, this.n) };
  }
}

function sameBytes(a: Uint8Array, buf: Uint8Array, s: number, e: number): boolean {
  if (a.length !== e - s) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[s + i]) return false;
  return true;
}

function grow<T extends Float64Array | Int32Array>(a: T): T {
  return resize(a, a.length * 2 + 1024);
}

function resize<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = (a instanceof Float64Array ? new Float64Array(n) : new Int32Array(n)) as T;
  b.set(a.subarray(0, Math.min(n, a.length)));
  return b;
}

/** Trims to n values; keeps the buffer (a view) when little would be wasted. */
function fit<T extends Float64Array | Int32Array>(a: T, n: number): T {
  return (n >= a.length * 0.9 ? a.subarray(0, n) : a.slice(0, n)) as T;
}

export function decode(buf: Buffer, s: number, e: number, quoted: boolean): string {
  const text = buf.toString('utf8', s, e);
  return quoted ? text.replaceAll('""', '"') : text;
}
