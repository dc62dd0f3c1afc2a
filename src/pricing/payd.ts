// Pay-as-you-drive monthly statements: base + per-distance rate, each day's distance capped (e.g.
// 250 mi or 400 km). All arithmetic is in integers: each entry's distance is rounded half to even to
// whole millimetres, days are sums of those, caps and units are exact in mm (1 mi = 1,609,344 mm)
// and the distance charge is rounded half to even once. The statement id is a SHA-256 of the canonical
// inputs, so the same inputs in any order give the same statement and storing it twice is a no-op.
import { createHash } from 'node:crypto';
import type { Result } from '../domain/index.ts';
import { formatMoney, roundHalfEven, roundHalfEvenRatio } from './money.ts';
import { parseIsoDate, type PricingPlan, UNIT_MM } from './plan.ts';
import type { Quote } from './quote.ts';
import type { DailyDistance } from './types.ts';

export interface PaydTerms {
  currency: string;
  distanceUnit: 'km' | 'mile';
  monthlyBaseCents: number;
  ratePerUnitMillicents: number;
  dailyCapUnits: number;
}

/** The plan's published terms (a driver at every base level), or null if it bills no distance. */
export function planTerms(plan: PricingPlan): PaydTerms | null {
  const p = plan.plan;
  if (p.distance === undefined) return null;
  return {
    currency: p.currency,
    distanceUnit: p.distanceUnit,
    monthlyBaseCents: p.baseMonthlyCents,
    ratePerUnitMillicents: p.distance.ratePerUnitMillicents,
    dailyCapUnits: p.distance.dailyCapUnits,
  };
}

/**
 * A rated driver's terms: base and rate times the quote's multiplier (classic relativities, behaviour
 * factor, enrollment discount), rounded half to even to whole cents and whole millicents.
 */
export function driverTerms(plan: PricingPlan, q: Quote): PaydTerms | null {
  const terms = planTerms(plan);
  if (terms === null) return null;
  let m = q.rating.telematics.factor * (1 - q.rating.discount);
  for (const c of q.contributions) if (c.kind === 'classic') m *= c.factor!;
  return {
    ...terms,
    monthlyBaseCents: roundHalfEven(terms.monthlyBaseCents * m),
    ratePerUnitMillicents: roundHalfEven(terms.ratePerUnitMillicents * m),
  };
}

export interface StatementDay {
  date: string;
  distanceM: number;
  billedDistanceM: number;
}

export interface LineItem {
  kind: 'base' | 'distance' | 'overCap';
  description: string;
  amountCents: number;
}

export interface MonthlyStatement {
  id: string;
  hash: string;
  policyId: string;
  planKey: string;
  month: string;
  currency: string;
  distanceUnit: 'km' | 'mile';
  daysInMonth: number;
  drivingDays: number;
  cappedDays: number;
  distanceM: number;
  billedDistanceM: number;
  billedUnits: number;
  days: StatementDay[];
  lines: LineItem[];
  totalCents: number;
}

export interface StatementInput {
  policyId: string;
  planKey: string;
  /** 'YYYY-MM'. Entries dated outside this month are ignored. */
  month: string;
  terms: PaydTerms;
  days: readonly DailyDistance[];
}

const fail = (code: string, message: string, field: string): Result<never> => ({
  ok: false,
  error: { code, message, field },
});

export function monthlyStatement(input: StatementInput): Result<MonthlyStatement> {
  const { terms, month } = input;
  const first = /^\d{4}-\d{2}$/.test(month) ? parseIsoDate(`${month}-01`) : null;
  if (first === null) return fail('invalid_month', `month '${month}' is not YYYY-MM`, 'month');
  const start = new Date(first);
  const daysInMonth = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0)).getUTCDate();
  const perDay = new Map<string, number>();
  for (const [i, d] of input.days.entries()) {
    if (parseIsoDate(d.date) === null)
      return fail('invalid_date', `'${d.date}' is not YYYY-MM-DD`, `days.${i}.date`);
    if (!(d.distanceM >= 0 && Number.isFinite(d.distanceM))) {
      return fail('invalid_distance', `distanceM must be ≥ 0 on ${d.date}`, `days.${i}.distanceM`);
    }
    if (!d.date.startsWith(`${month}-`)) continue;
    perDay.set(d.date, (perDay.get(d.date) ?? 0) + roundHalfEven(d.distanceM * 1000));
  }
  const unitMm = BigInt(UNIT_MM[terms.distanceUnit]);
  const capMm = BigInt(terms.dailyCapUnits) * unitMm;
  const days: StatementDay[] = [];
  let totalMm = 0n;
  let billedMm = 0n;
  let cappedDays = 0;
  for (const date of [...perDay.keys()].sort()) {
    const mm = BigInt(perDay.get(date)!);
    const billed = mm > capMm ? capMm : mm;
    if (mm > capMm) cappedDays++;
    totalMm += mm;
    billedMm += billed;
    days.push({ date, distanceM: Number(mm) / 1000, billedDistanceM: Number(billed) / 1000 });
  }
  const distanceCents = Number(
    roundHalfEvenRatio(billedMm * BigInt(terms.ratePerUnitMillicents), unitMm * 1000n),
  );
  const u = terms.distanceUnit === 'km' ? 'km' : 'mi';
  const units = (mm: bigint) => Number(mm) / Number(unitMm);
  const lines: LineItem[] = [
    { kind: 'base', description: 'Monthly base', amountCents: terms.monthlyBaseCents },
    {
      kind: 'distance',
      description: `${units(billedMm).toFixed(3)} ${u} × ${terms.ratePerUnitMillicents / 1000}¢ per ${u}`,
      amountCents: distanceCents,
    },
  ];
  if (totalMm > billedMm) {
    lines.push({
      kind: 'overCap',
      description: `${units(totalMm - billedMm).toFixed(3)} ${u} above the daily cap of ${terms.dailyCapUnits} ${u}, not billed`,
      amountCents: 0,
    });
  }
  const canonical = JSON.stringify({
    v: 1,
    policyId: input.policyId,
    planKey: input.planKey,
    month,
    terms: [
      terms.currency,
      terms.distanceUnit,
      terms.monthlyBaseCents,
      terms.ratePerUnitMillicents,
      terms.dailyCapUnits,
    ],
    days: days.map((d) => [d.date, d.distanceM]),
  });
  const hash = createHash('sha256').update(canonical).digest('hex');
  const totalCents = terms.monthlyBaseCents + distanceCents;
  return {
    ok: true,
    value: {
      id: `stmt_${hash.slice(0, 32)}`,
      hash,
      policyId: input.policyId,
      planKey: input.planKey,
      month,
      currency: terms.currency,
      distanceUnit: terms.distanceUnit,
      daysInMonth,
      drivingDays: days.filter((d) => d.distanceM > 0).length,
      cappedDays,
      distanceM: Number(totalMm) / 1000,
      billedDistanceM: Number(billedMm) / 1000,
      billedUnits: units(billedMm),
      days,
      lines,
      totalCents,
    },
  };
}

/** "$46.00: $30.00 base + $16.00 for 500.000 mi": one line for notifications. */
export function statementSummary(s: MonthlyStatement): string {
  const [base, dist] = s.lines;
  const u = s.distanceUnit === 'km' ? 'km' : 'mi';
  return (
    `${formatMoney(s.totalCents, s.currency)}: ${formatMoney(base!.amountCents, s.currency)} base + ` +
    `${formatMoney(dist!.amountCents, s.currency)} for ${s.billedUnits.toFixed(3)} ${u}`
  );
}
