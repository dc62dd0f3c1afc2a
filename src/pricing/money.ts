// Money is integer cents. Real-valued amounts are rounded once, half to even, and split into parts
// with the largest-remainder method so the parts always add up to the rounded total exactly.

/**
 * Floating-point products such as 4000 × 1.15 land a hair off the exact decimal (4600.000000000001),
 * so a fraction within this distance of one half is treated as exactly one half.
 */
const HALF_TOLERANCE = 1e-9;

/** Rounds to the nearest integer; exact halves go to the even neighbour (banker's rounding). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const frac = x - f;
  if (Math.abs(frac - 0.5) < HALF_TOLERANCE) return f % 2 === 0 ? f : f + 1;
  return frac < 0.5 ? f : f + 1;
}

/** Exact num / den rounded half to even, for integer arithmetic on statements (den > 0). */
export function roundHalfEvenRatio(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError('roundHalfEvenRatio: denominator must be positive');
  let q = num / den;
  let r = num % den;
  if (r < 0n) {
    q -= 1n;
    r += den;
  }
  const twice = 2n * r;
  if (twice > den || (twice === den && q % 2n !== 0n)) q += 1n;
  return q;
}

// Remainders of small allocations (every quote makes two); never escapes the call.
const REM_SCRATCH = new Float64Array(32);

/**
 * Splits `target` integer cents over real-valued parts (largest remainder / Hamilton method): each part
 * gets its floor, then the cents still missing go to the parts with the largest fractional remainders
 * (ties to the earlier part). When target = round(sum(values)), every part is within one cent of its
 * real value. A part whose value is exactly 0 (a factor that changed nothing) always gets 0 cents unless
 * every part is 0. If float noise makes target fall outside [sum of floors, sum of floors + parts],
 * whole cents are first spread evenly so the sum is still exact.
 */
export function allocateCents(values: readonly number[], target: number): number[] {
  const n = values.length;
  let eligible = 0;
  for (let i = 0; i < n; i++) if (values[i] !== 0) eligible++;
  const all = eligible === 0;
  if (all) eligible = n;
  if (eligible === 0) {
    if (target !== 0) throw new RangeError('allocateCents: cannot allocate a non-zero target to no parts');
    return [];
  }
  const out = new Array<number>(n);
  const rem = n <= REM_SCRATCH.length ? REM_SCRATCH : new Float64Array(n);
  let floorSum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const f = Math.floor(v) + 0; // + 0 turns -0 into 0
    out[i] = f;
    rem[i] = all || v !== 0 ? v - f : Number.NEGATIVE_INFINITY;
    floorSum += f;
  }
  let extra = target - floorSum;
  if (extra < 0 || extra > eligible) {
    const whole = Math.floor(extra / eligible);
    for (let i = 0; i < n; i++) if (rem[i] !== Number.NEGATIVE_INFINITY) out[i]! += whole;
    extra -= whole * eligible;
  }
  if (extra === 0) return out;
  if (n > REM_SCRATCH.length) {
    const order = Array.from({ length: n }, (_, i) => i).filter((i) => rem[i] !== Number.NEGATIVE_INFINITY);
    order.sort((a, b) => rem[b]! - rem[a]! || a - b);
    for (let i = 0; i < extra; i++) out[order[i]!]! += 1;
    return out;
  }
  // Few parts (a quote has about ten): repeated scans beat sorting; a taken part drops out.
  for (let e = 0; e < extra; e++) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (rem[i] !== Number.NEGATIVE_INFINITY && (best < 0 || rem[i]! > rem[best]!)) best = i;
    }
    out[best]! += 1;
    rem[best] = Number.NEGATIVE_INFINITY;
  }
  return out;
}

const SYMBOLS: Readonly<Record<string, string>> = { EUR: '€', USD: '$', GBP: '£' };

/** "€3.20", "-$1,046.00", "CHF 12.50": plain-language money for reasons and statements. */
export function formatMoney(cents: number, currency: string): string {
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  const units = whole < 1000 ? String(whole) : whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const body = units + (frac < 10 ? '.0' : '.') + frac;
  const symbol = SYMBOLS[currency];
  const signed = symbol === undefined ? `${currency} ${body}` : symbol + body;
  return cents < 0 ? `-${signed}` : signed;
}

/** Basis points to a fraction: 1500 bp → 0.15. Plans store percentages as integer bp to stay exact. */
export const bp = (basisPoints: number): number => basisPoints / 10_000;
