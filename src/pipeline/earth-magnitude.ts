// Earth-frame phones without GPS: how much the vehicle accelerates along the road, from the accelerometer's
// magnitude. Android's rotation-vector fusion, which rotates the samples into the earth frame, takes sustained
// acceleration for a tilt within 1–2 s: in the Ferreira recordings a 4.5 m/s² braking reads as a pulse that decays
// while the car still brakes, then, once it has stopped, as an opposite "phantom" pulse of the same size (|a| at
// gravity, vertical reading below it: the tilt error unwinding, τ ≈ 1.2–1.7 s), and a 0.25 g acceleration reads
// 0.1–0.2 g for a second and then nothing. The magnitude |a| does not depend on any rotation, so
// √(|a|² − g²) is the horizontal acceleration whatever the fusion believes; the earth-frame reading only says
// which way (its sign is taken at the onset, when the fusion has not yet absorbed it, and kept while the
// magnitude stays up).
import type { OrientState } from './orientation.ts';

/** Low-pass time constant of |a| (s): road vibration averages out, a half-second manoeuvre does not. */
const MAG_TAU_S = 0.5;
/** Time constant of the gravity-magnitude estimate (s); phone accelerometers read 9.6–9.9 m/s² at rest. */
const G0_TAU_S = 30;
/** Time constant of the reading used for the direction (s). */
const DIR_TAU_S = 0.25;
/** Below this horizontal reading (m/s²) there is no direction to read; it is also "quiet" for the g estimate. */
const MIN_READING_MPS2 = 0.5;
/**
 * A reading more than 60° off the forward axis is lateral (no longitudinal sign); within it, longitudinal. Not
 * tighter: without GPS the forward estimate itself is off by up to 45° (Ferreira trip 17).
 */
const ALONG_SHARE = 0.5;

export interface EarthMagState {
  magS: number;
  g0: number;
  g0ElapsedS: number;
  hxS: number;
  hyS: number;
  sign: number;
}

export function newEarthMagState(): EarthMagState {
  return { magS: 0, g0: 0, g0ElapsedS: 0, hxS: 0, hyS: 0, sign: 0 };
}

/**
 * One earth-frame sample (accelerometer ax, ay, az; horizontal reading hx, hy in the yaw-compensated plane);
 * returns the signed longitudinal acceleration (m/s², + forward) along the forward estimate (c, s).
 */
export function earthMagStep(
  o: OrientState,
  ax: number,
  ay: number,
  az: number,
  hx: number,
  hy: number,
  c: number,
  s: number,
  dtS: number,
): number {
  const e = o.em;
  const m = Math.sqrt(ax * ax + ay * ay + az * az);
  if (e.g0ElapsedS === 0) {
    e.magS = m;
    e.g0 = m;
  }
  e.magS += (m - e.magS) * Math.min(1, dtS / MAG_TAU_S);
  e.hxS += (hx - e.hxS) * Math.min(1, dtS / DIR_TAU_S);
  e.hyS += (hy - e.hyS) * Math.min(1, dtS / DIR_TAU_S);
  const h = Math.hypot(e.hxS, e.hyS);
  e.g0ElapsedS += dtS;
  if (h < MIN_READING_MPS2) e.g0 += (m - e.g0) * Math.min(1, dtS / Math.min(G0_TAU_S, e.g0ElapsedS));
  const hm = Math.sqrt(Math.max(0, e.magS * e.magS - e.g0 * e.g0));
  const along = e.hxS * c + e.hyS * s;
  if (h >= MIN_READING_MPS2 && h >= 0.5 * hm) {
    // The reading explains the magnitude: it gives the sign, or says the acceleration is lateral.
    e.sign = Math.abs(along) < ALONG_SHARE * h ? 0 : along > 0 ? 1 : -1;
  } else if (hm < MIN_READING_MPS2) e.sign = 0;
  // Otherwise the fusion is absorbing a sustained acceleration: the sign from its onset holds.
  return e.sign * hm;
}
