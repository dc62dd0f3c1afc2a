// Fast CSV reader: reads the file in chunks, parses bytes directly into growable typed arrays per
// column (no per-row objects), so the 678k-row freMTPL2 file loads in well under a second.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ColumnBuilder, decode } from './columns.ts';
import type { Column, Frame } from './frame.ts';

const MISSING = new Set(['', 'NA', 'NaN', 'null']);
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

export interface CsvOptions {
  /** Keep only these columns (others are skipped without parsing). Default: all. */
  columns?: readonly string[];
  /** Force a column's type; otherwise the first non-missing value decides (numbers → numeric). */
  types?: Readonly<Record<string, 'numeric' | 'categorical'>>;
  delimiter?: string;
  chunkBytes?: number;
}

/** Parses bytes [s, e) as a decimal number; NaN if it is not one. */
function parseNumber(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (buf[i] === 45 /* - */) {
    neg = true;
    i++;
  } else if (buf[i] === 43 /* + */) i++;
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let seenDot = false;
  for (; i < e; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      if (seenDot) frac++;
    } else if (c === 46 && !seenDot) seenDot = true;
    else break;
  }
  // Exact fast path: an integer mantissa below 2^53 divided by an exact power of ten is correctly rounded.
  if (i === e && digits > 0 && digits <= 15) {
    const v = frac === 0 ? mant : mant / POW10[frac]!;
    return neg ? -v : v;
  }
  if (digits === 0 && i === e) return Number.NaN;
  const text = Buffer.from(buf.buffer, buf.byteOffset + s, e - s)
    .toString('latin1')
    .trim();
  return text === '' ? Number.NaN : Number(text);
}

/** Reads a CSV file with a header line into a columnar Frame. Throws with the line number on malformed rows. */
export function readCsv(path: string, options: CsvOptions = {}): Frame {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const parser = new CsvParser(options);
    let chunk = Buffer.allocUnsafe(options.chunkBytes ?? 1 << 22);
    let carry = 0; // bytes of an incomplete line kept at the start of `chunk`
    for (;;) {
      if (carry === chunk.length) {
        const bigger = Buffer.allocUnsafe(chunk.length * 2);
        chunk.copy(bigger, 0, 0, carry);
        chunk = bigger;
      }
      const got = readSync(fd, chunk, carry, chunk.length - carry, null);
      const data = chunk.subarray(0, carry + got);
      if (got === 0) {
        if (carry) parser.feed(data, true);
        break;
      }
      const used = parser.feed(data, false, size);
      carry = data.length - used;
      chunk.copy(chunk, 0, used, data.length);
    }
    return parser.finish();
  } finally {
    closeSync(fd);
  }
}

/** Parses CSV text (header line first) into a Frame; for tests and small inputs. */
export function parseCsv(text: string, options: CsvOptions = {}): Frame {
  const parser = new CsvParser(options);
  parser.feed(Buffer.from(text, 'utf8'), true);
  return parser.finish();
}

class CsvParser {
  private header: string[] | null = null;
  private builders: (ColumnBuilder | null)[] = [];
  private line = 0;
  private readonly delim: number;
  private readonly fieldStarts: number[] = [];
  private readonly fieldEnds: number[] = [];
  private readonly fieldQuoted: boolean[] = [];
  constructor(private readonly options: CsvOptions) {
    this.delim = (options.delimiter ?? ',').charCodeAt(0);
  }

  /** Consumes complete lines of `buf`; returns how many bytes were used (the rest is an incomplete line). */
  feed(buf: Buffer, last: boolean, fileBytes = 0): number {
    let pos = 0;
    const sizeFirst = this.line === 0 && fileBytes > 0;
    const n = buf.length;
    while (pos < n) {
      const end = this.splitLine(buf, pos, last);
      if (end < 0) return pos;
      this.line++;
      let lineEnd = end;
      if (lineEnd > pos && buf[lineEnd - 1] === 13) lineEnd--;
      if (lineEnd > pos) this.handle(buf);
      pos = end + 1;
      if (sizeFirst && this.line === 1001) this.reserve(Math.ceil((fileBytes / pos) * 1000 * 1.02));
    }
    return n;
  }

  /** Finds fields of the line starting at `pos`; returns the index of its newline (or n when last), -1 if incomplete. */
  private splitLine(buf: Buffer, pos: number, last: boolean): number {
    const n = buf.length;
    const starts = this.fieldStarts;
    const ends = this.fieldEnds;
    const quoted = this.fieldQuoted;
    starts.length = 0;
    ends.length = 0;
    quoted.length = 0;
    let i = pos;
    for (;;) {
      if (i < n && buf[i] === 34 /* " */) {
        let j = i + 1;
        for (;;) {
          while (j < n && buf[j] !== 34) j++;
          if (j >= n) return last ? this.fail('unterminated quote', true) : -1;
          if (buf[j + 1] === 34) j += 2;
          else break;
        }
        starts.push(i + 1);
        ends.push(j);
        quoted.push(true);
        i = j + 1;
        while (i < n && buf[i] !== this.delim && buf[i] !== 10) i++;
      } else {
        const s = i;
        while (i < n && buf[i] !== this.delim && buf[i] !== 10) i++;
        let e = i;
        if (i < n && buf[i] === 10 && e > s && buf[e - 1] === 13) e--;
        else if (i >= n && e > s && buf[e - 1] === 13) e--;
        starts.push(s);
        ends.push(e);
        quoted.push(false);
      }
      if (i >= n) return last ? n : -1;
      if (buf[i] === 10) return i;
      i++; // delimiter
    }
  }

  /** `pending`: the line being split has not been counted yet. */
  private fail(msg: string, pending = false): never {
    throw new Error(`CSV line ${this.line + (pending ? 1 : 0)}: ${msg}`);
  }

  private handle(buf: Buffer): void {
    const nf = this.fieldStarts.length;
    if (this.header === null) {
      this.header = [];
      for (let f = 0; f < nf; f++) {
        this.header.push(decode(buf, this.fieldStarts[f]!, this.fieldEnds[f]!, this.fieldQuoted[f]!).trim());
      }
      const keep = this.options.columns;
      for (const name of keep ?? []) {
        if (!this.header.includes(name)) throw new Error(`column '${name}' not found in CSV header`);
      }
      this.builders = this.header.map((name) =>
        keep && !keep.includes(name) ? null : new ColumnBuilder(this.options.types?.[name]),
      );
      return;
    }
    if (nf !== this.header.length) this.fail(`expected ${this.header.length} fields, found ${nf}`);
    for (let f = 0; f < nf; f++) {
      const b = this.builders[f];
      if (!b) continue;
      const s = this.fieldStarts[f]!;
      const e = this.fieldEnds[f]!;
      const q = this.fieldQuoted[f]!;
      if (b.kind === 'categorical') {
        b.pushBytes(buf, s, e, q);
        continue;
      }
      const v = q ? Number.NaN : parseNumber(buf, s, e);
      if (!Number.isNaN(v)) {
        b.kind = 'numeric';
        b.pushNumber(v);
        continue;
      }
      const text = decode(buf, s, e, q);
      if (MISSING.has(text.trim())) {
        b.pushNumber(Number.NaN);
        continue;
      }
      if (b.kind === 'numeric' && this.options.types?.[this.header[f]!] === 'numeric') {
        this.fail(`column '${this.header[f]}' is not numeric: '${text}'`);
      }
      b.toCategorical();
      b.pushString(text);
    }
  }

  /** Sizes the columns once from the first lines' length, so they need not grow by doubling. */
  private reserve(rows: number): void {
    for (const b of this.builders) b?.reserve(rows);
  }

  finish(): Frame {
    if (this.header === null) throw new Error('CSV is empty (no header line)');
    const columns: Record<string, Column> = {};
    const names: string[] = [];
    let nRows = 0;
    this.header.forEach((name, f) => {
      const b = this.builders[f];
      if (!b) return;
      names.push(name);
      columns[name] = b.finish();
      nRows = b.n;
    });
    return { nRows, names, columns };
  }
}
