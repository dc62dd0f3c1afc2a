// Phone use while driving: screen sessions (hand-held), calls (hands-free or not) and moving the phone,
// as a Poisson process in time whose rates are the driver's.
import type { PhoneEpisode } from './dynamics.ts';
import type { Rng } from './rng.ts';
import type { DrivingParams } from './styles.ts';

/** Repositioning the phone (no distraction, just handling), per driving hour. */
export const REPOSITIONS_PER_HOUR = 0.3;

export function startEpisode(p: DrivingParams, rng: Rng, t: number): PhoneEpisode {
  const u = rng.next() * (p.screenUsePerHour + p.callsPerHour + REPOSITIONS_PER_HOUR);
  if (u < p.screenUsePerHour) {
    const dur = clamp(rng.lognormal(Math.log(14), 0.7), 3, 120);
    return { kind: 'screen', startS: t, endS: t + dur, handsFree: false, unlock: rng.bool(0.85) };
  }
  if (u < p.screenUsePerHour + p.callsPerHour) {
    const dur = clamp(rng.lognormal(Math.log(80), 0.8), 10, 900);
    return { kind: 'call', startS: t, endS: t + dur, handsFree: rng.bool(p.handsFreeProb), unlock: false };
  }
  return { kind: 'reposition', startS: t, endS: t + rng.uniform(1.5, 4), handsFree: false, unlock: false };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
