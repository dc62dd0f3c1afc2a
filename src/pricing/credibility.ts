// Bühlmann–Straub credibility. A driver's own experience X_i, observed over exposure m_i (here km of
// driving), is blended with the collective mean: estimate = Z·X_i + (1 − Z)·μ with Z = m / (m + k),
// k = σ² / a, σ² the expected within-driver variance per unit exposure and a the variance of the true
// driver means. Zero km gives Z = 0 (neutral); Z reaches one half at m = k.
import type { Result } from '../domain/index.ts';

export function credibility(exposure: number, k: number): number {
  if (!(exposure > 0)) return 0;
  return exposure / (exposure + k);
}

export interface RatedPeriod {
  /** Observed rate in the period (e.g. the behaviour relativity of a month, or claims per year). */
  rate: number;
  /** Exposure of the period (km for telematics, years for claims). */
  exposure: number;
}

export interface CredibilityEstimate {
  k: number;
  /** Within-driver variance per unit exposure. */
  sigma2: number;
  /** Between-driver variance of the true means. */
  a: number;
  mean: number;
  drivers: number;
  periods: number;
}

const fail = (message: string): Result<never> => ({ ok: false, error: { code: 'k_not_estimable', message } });

/**
 * The Bühlmann–Straub non-parametric estimator from per-driver periods (Bühlmann & Gisler 2005, §4.4):
 *   σ̂² = Σ_i Σ_j m_ij (X_ij − X̄_i)² / Σ_i (n_i − 1)
 *   â  = (Σ_i m_i (X̄_i − X̄)² − (I − 1) σ̂²) / (m − Σ_i m_i² / m)
 *   k̂  = σ̂² / â
 * For telematics: one period per trip or per month, rate = that period's behaviour relativity, exposure
 * = its km; k̂ is then in km. When â ≤ 0 the portfolio shows no real differences between drivers and
 * the result is an error value (no credibility is warranted).
 */
export function estimateBuhlmannStraub(
  drivers: readonly (readonly RatedPeriod[])[],
): Result<CredibilityEstimate> {
  let within = 0;
  let dof = 0;
  let m = 0;
  let sumM2 = 0;
  let weighted = 0;
  let periods = 0;
  const means: Array<{ mi: number; xi: number }> = [];
  for (const d of drivers) {
    let mi = 0;
    let sx = 0;
    for (const p of d) {
      if (!(p.exposure > 0) || !Number.isFinite(p.rate)) continue;
      mi += p.exposure;
      sx += p.exposure * p.rate;
    }
    if (mi === 0) continue;
    const xi = sx / mi;
    let n = 0;
    for (const p of d) {
      if (!(p.exposure > 0) || !Number.isFinite(p.rate)) continue;
      within += p.exposure * (p.rate - xi) ** 2;
      n++;
    }
    dof += n - 1;
    periods += n;
    means.push({ mi, xi });
    m += mi;
    sumM2 += mi * mi;
    weighted += mi * xi;
  }
  const count = means.length;
  if (count < 2) return fail(`need at least 2 drivers with exposure, got ${count}`);
  if (dof === 0) return fail('every driver has a single period: use estimatePoissonK for claim counts');
  const sigma2 = within / dof;
  const mean = weighted / m;
  let between = 0;
  for (const { mi, xi } of means) between += mi * (xi - mean) ** 2;
  const a = (between - (count - 1) * sigma2) / (m - sumM2 / m);
  if (!(a > 0))
    return fail(`between-driver variance estimate is ${a.toPrecision(3)} ≤ 0: no credibility warranted`);
  return { ok: true, value: { k: sigma2 / a, sigma2, a, mean, drivers: count, periods } };
}

export interface ClaimsExperience {
  claims: number;
  exposure: number;
}

/**
 * One period per driver with Poisson claim counts: the within variance is then the mean itself
 * (Var(N/m | λ) = λ/m, so σ² = E[λ] = μ), and â and k̂ = μ̂ / â follow as above. Under a
 * Gamma(α, β) mix of frequencies the true k is β.
 */
export function estimatePoissonK(drivers: readonly ClaimsExperience[]): Result<CredibilityEstimate> {
  let m = 0;
  let n = 0;
  let sumM2 = 0;
  let count = 0;
  for (const d of drivers) {
    if (!(d.exposure > 0)) continue;
    m += d.exposure;
    n += d.claims;
    sumM2 += d.exposure * d.exposure;
    count++;
  }
  if (count < 2) return fail(`need at least 2 drivers with exposure, got ${count}`);
  const mean = n / m;
  let between = 0;
  for (const d of drivers) if (d.exposure > 0) between += d.exposure * (d.claims / d.exposure - mean) ** 2;
  const a = (between - (count - 1) * mean) / (m - sumM2 / m);
  if (!(a > 0))
    return fail(`between-driver variance estimate is ${a.toPrecision(3)} ≤ 0: no credibility warranted`);
  return { ok: true, value: { k: mean / a, sigma2: mean, a, mean, drivers: count, periods: count } };
}
