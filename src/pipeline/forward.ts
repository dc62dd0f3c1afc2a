// Finds the vehicle's forward direction in a levelled plane that turns with the vehicle (the phone's
// horizontal plane, or the earth plane with integrated yaw removed). Four kinds of evidence, forgotten slowly:
// - direct: GPS course mapped into the plane (earth frame with GPS);
// - longitudinal: horizontal acceleration correlated with GPS speed change (points forward);
// - centripetal: horizontal acceleration correlated with yaw rate (× speed when known) points left, since
//   a = v·ω·left in a turn; so it fixes the sign as well as the axis without GPS;
// - principal axis of the horizontal acceleration on straight road (braking/accelerating dominate):
//   refines the axis once the sign is known.

export interface ForwardState {
  dx: number;
  dy: number;
  dw: number;
  lx: number;
  ly: number;
  lw: number;
  cx: number;
  cy: number;
  cw: number;
  sxx: number;
  sxy: number;
  syy: number;
  sw: number;
  /** Current estimate: cos/sin of the forward angle in the plane, and whether it is trusted. */
  c: number;
  s: number;
  ok: boolean;
}

export function newForwardState(): ForwardState {
  return {
    dx: 0,
    dy: 0,
    dw: 0,
    lx: 0,
    ly: 0,
    lw: 0,
    cx: 0,
    cy: 0,
    cw: 0,
    sxx: 0,
    sxy: 0,
    syy: 0,
    sw: 0,
    c: 1,
    s: 0,
    ok: false,
  };
}

const MIN_H_MPS2 = 0.5;
const TURN_YAW_RPS = 0.1;
const STRAIGHT_YAW_RPS = 0.03;

export function decay(f: ForwardState, factor: number): void {
  f.dx *= factor;
  f.dy *= factor;
  f.dw *= factor;
  f.lx *= factor;
  f.ly *= factor;
  f.lw *= factor;
  f.cx *= factor;
  f.cy *= factor;
  f.cw *= factor;
  f.sxx *= factor;
  f.sxy *= factor;
  f.syy *= factor;
  f.sw *= factor;
}

/** A block of IMU data (averages over dtS seconds); speed in m/s when GPS knows it. */
export function observeImu(
  f: ForwardState,
  hx: number,
  hy: number,
  yawRps: number,
  speedMps: number | null,
  dtS: number,
): void {
  const h = Math.hypot(hx, hy);
  if (h < MIN_H_MPS2) return;
  const ay = Math.abs(yawRps);
  if (ay >= TURN_YAW_RPS) {
    // Below walking pace a turn says little (and reversing flips the sign), so it is skipped.
    if (speedMps !== null && speedMps < 2) return;
    const w = speedMps === null ? yawRps : yawRps * speedMps;
    f.cx += w * hx * dtS;
    f.cy += w * hy * dtS;
    f.cw += dtS;
  } else if (ay < STRAIGHT_YAW_RPS) {
    f.sxx += hx * hx * dtS;
    f.sxy += hx * hy * dtS;
    f.syy += hy * hy * dtS;
    f.sw += dtS;
  }
}

/** GPS speed change over the last second against the mean horizontal acceleration of that second. */
export function observeSpeedChange(f: ForwardState, hx: number, hy: number, dvdtMps2: number): void {
  if (Math.abs(dvdtMps2) < 0.3) return;
  f.lx += dvdtMps2 * hx;
  f.ly += dvdtMps2 * hy;
  f.lw += Math.min(1, Math.abs(dvdtMps2) / 1.0);
}

/** A known forward direction (unit vector in the plane), e.g. GPS course in the earth frame. */
export function observeDirect(f: ForwardState, ux: number, uy: number): void {
  f.dx += ux;
  f.dy += uy;
  f.dw += 1;
}

/** Recomputes the estimate from the evidence. */
export function solve(f: ForwardState, minEvidence: number): void {
  // Each source contributes its unit direction weighted by its evidence.
  let fx = 0;
  let fy = 0;
  let w = 0;
  const nd = Math.hypot(f.dx, f.dy);
  if (nd > 0 && f.dw > 0) {
    fx += (f.dx / nd) * f.dw;
    fy += (f.dy / nd) * f.dw;
    w += f.dw;
  }
  const nl = Math.hypot(f.lx, f.ly);
  if (nl > 0 && f.lw > 0) {
    fx += (f.lx / nl) * f.lw;
    fy += (f.ly / nl) * f.lw;
    w += f.lw;
  }
  // left → forward: f = (ly, -lx)
  const nc = Math.hypot(f.cx, f.cy);
  if (nc > 0 && f.cw > 0) {
    fx += (f.cy / nc) * f.cw;
    fy += (-f.cx / nc) * f.cw;
    w += f.cw;
  }
  const n = Math.hypot(fx, fy);
  if (w < minEvidence || n < 0.5 * w) {
    f.ok = false;
    return;
  }
  let c = fx / n;
  let s = fy / n;
  // Principal axis refinement only when no GPS-based evidence: it is the weakest source.
  if (f.dw + f.lw < minEvidence && f.sw >= 10) {
    const tr = f.sxx + f.syy;
    const det = f.sxx * f.syy - f.sxy * f.sxy;
    const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
    const l1 = tr / 2 + disc;
    const l2 = tr / 2 - disc;
    if (l2 > 0 ? l1 / l2 >= 2 : l1 > 0) {
      const ang = 0.5 * Math.atan2(2 * f.sxy, f.sxx - f.syy);
      let pc = Math.cos(ang);
      let ps = Math.sin(ang);
      const dot = pc * c + ps * s;
      if (dot < 0) {
        pc = -pc;
        ps = -ps;
      }
      if (Math.abs(dot) >= 0.5) {
        c = pc;
        s = ps;
      }
    }
  }
  f.c = c;
  f.s = s;
  f.ok = true;
}
