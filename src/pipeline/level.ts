// Device frame: where "up" is in the phone (gravity), and a horizontal basis that stays put between updates.
import type { PipelineConfig } from './config.ts';
import { newForwardState } from './forward.ts';
import type { OrientState } from './orientation.ts';

/** Beyond this distance from the gravity estimate, a sample is the car accelerating, not gravity. */
const GRAVITY_GATE_MPS2 = 0.6;

/**
 * Updates the gravity estimate with one sample (propagated by the gyroscope, averaged while calm). `trust`
 * (0–1) weighs the sample when GPS says whether the car accelerates; null: judge by the distance from it.
 */
export function levelDevice(
  o: OrientState,
  cfg: PipelineConfig,
  ax: number,
  ay: number,
  az: number,
  gx: number,
  gy: number,
  gz: number,
  dtS: number,
  trust: number | null = null,
): void {
  const g = o.g;
  if (dtS > 0) {
    // Gravity seen from the phone turns against the phone's rotation: dg/dt = g × ω.
    const cx = g[1] * gz - g[2] * gy;
    const cy = g[2] * gx - g[0] * gz;
    const cz = g[0] * gy - g[1] * gx;
    g[0] += cx * dtS;
    g[1] += cy * dtS;
    g[2] += cz * dtS;
  }
  o.gElapsedMs += dtS * 1000;
  const tau = Math.min(cfg.gravityTauMs, Math.max(200, o.gElapsedMs)) / 1000;
  let k = o.gElapsedMs <= dtS * 1000 ? 1 : Math.min(1, dtS / tau);
  // Gravity is learnt from calm moments: while the car brakes, accelerates or turns, the estimate barely moves.
  const ddx = ax - g[0];
  const ddy = ay - g[1];
  const ddz = az - g[2];
  if (o.level) {
    if (trust !== null) k *= trust;
    else if (ddx * ddx + ddy * ddy + ddz * ddz > GRAVITY_GATE_MPS2 * GRAVITY_GATE_MPS2) k *= 0.02;
  }
  if (o.level && trust === 1 && dtS > 0) learnBias(o, ddx, ddy, ddz, dtS, tau);
  g[0] += (ax - g[0]) * k;
  g[1] += (ay - g[1]) * k;
  g[2] += (az - g[2]) * k;
  if (!o.level && o.gElapsedMs >= cfg.levelAfterMs) {
    o.level = true;
    updateBasis(o);
  }
}

/** Time constant of the gyroscope-bias integral (tilt part), s. */
const BIAS_TAU_S = 60;

/**
 * A residual gyroscope bias δ makes the estimate lag the accelerometer by a steady (a − g) = −τ·g × δ, however
 * well the rest works (0.004 rad/s × 20 s ≈ 5° of tilt, 0.08 g of phantom acceleration). So the bias
 * perpendicular to gravity, δ⊥ = g × (a − g) / (τ·|g|²), is integrated from the moments the accelerometer is
 * known to read gravity (the integral term of Mahony's complementary filter).
 */
function learnBias(o: OrientState, ex: number, ey: number, ez: number, dtS: number, tauS: number): void {
  const g = o.g;
  const g2 = g[0] * g[0] + g[1] * g[1] + g[2] * g[2];
  if (g2 < 1) return;
  const kb = dtS / (BIAS_TAU_S * tauS * g2);
  const b = o.gyroB;
  b[0] += (g[1] * ez - g[2] * ey) * kb;
  b[1] += (g[2] * ex - g[0] * ez) * kb;
  b[2] += (g[0] * ey - g[1] * ex) * kb;
}

export function updateBasis(o: OrientState): void {
  const [gx, gy, gz] = o.g;
  const n = Math.hypot(gx, gy, gz) || 1;
  const ux = gx / n;
  const uy = gy / n;
  const uz = gz / n;
  o.up[0] = ux;
  o.up[1] = uy;
  o.up[2] = uz;
  // Reference axis: the device axis most horizontal when levelling starts, then kept, so the plane does not
  // spin between updates (two equally horizontal axes would otherwise swap on noise).
  const comp = [Math.abs(ux), Math.abs(uy), Math.abs(uz)];
  if (o.refAxis < 0 || comp[o.refAxis]! > 0.9) {
    o.refAxis = comp[0]! <= comp[1]! && comp[0]! <= comp[2]! ? 0 : comp[1]! <= comp[2]! ? 1 : 2;
    o.fwd = newForwardState();
  }
  const rx = o.refAxis === 0 ? 1 : 0;
  const ry = o.refAxis === 1 ? 1 : 0;
  const rz = o.refAxis === 2 ? 1 : 0;
  const d = rx * ux + ry * uy + rz * uz;
  let e1x = rx - d * ux;
  let e1y = ry - d * uy;
  let e1z = rz - d * uz;
  const m = Math.hypot(e1x, e1y, e1z) || 1;
  e1x /= m;
  e1y /= m;
  e1z /= m;
  o.e1[0] = e1x;
  o.e1[1] = e1y;
  o.e1[2] = e1z;
  o.e2[0] = uy * e1z - uz * e1y;
  o.e2[1] = uz * e1x - ux * e1z;
  o.e2[2] = ux * e1y - uy * e1x;
}
