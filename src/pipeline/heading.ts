// Earth-frame IMU: the vehicle's forward direction in the yaw-compensated plane, as a 2-state Kalman filter
// on the circle (angle φ and its drift rate). The phone's "earth" yaw (game rotation vector, a magnetometer in
// a steel car) drifts slowly; on the Ferreira recordings a constant drift of 0.2–0.5°/s explains the turns far
// better than none, so the drift is a state. Measurements: a turn's centripetal acceleration (points left,
// fixes the sign), GPS course (direct), and on straight road the axis of strong accelerations (axis only).

export interface HeadingKf {
  phi: number;
  rate: number;
  p00: number;
  p01: number;
  p11: number;
  /** Seconds of turn evidence and count of direct fixes, for the "calibrated" decision. */
  turnS: number;
  direct: number;
  init: boolean;
}

export function newHeadingKf(): HeadingKf {
  return { phi: 0, rate: 0, p00: 10, p01: 0, p11: 1e-4, turnS: 0, direct: 0, init: false };
}

const Q_PHI = (1 * Math.PI) / 180; // rad²/s random walk of the angle
const Q_RATE = 2e-8; // (rad/s)²/s random walk of the drift rate
const R_TURN = 1.0 * 1.0; // per 100 ms block while turning
const R_DIRECT = 0.15 * 0.15;
const R_AXIS = 1.2 * 1.2;

const wrap = (a: number) => Math.atan2(Math.sin(a), Math.cos(a));

export function kfPredict(k: HeadingKf, dtS: number): void {
  k.phi = wrap(k.phi + k.rate * dtS);
  k.p00 += 2 * dtS * k.p01 + dtS * dtS * k.p11 + Q_PHI * Q_PHI * dtS;
  k.p01 += dtS * k.p11;
  k.p11 += Q_RATE * dtS;
}

function update(k: HeadingKf, meas: number, r: number): void {
  if (!k.init) {
    k.phi = meas;
    k.p00 = r;
    k.init = true;
    return;
  }
  const y = wrap(meas - k.phi);
  const s = k.p00 + r;
  const g0 = k.p00 / s;
  const g1 = k.p01 / s;
  k.phi = wrap(k.phi + g0 * y);
  k.rate += g1 * y;
  const p00 = (1 - g0) * k.p00;
  const p01 = (1 - g0) * k.p01;
  k.p11 -= g1 * k.p01;
  k.p00 = p00;
  k.p01 = p01;
}

/** A 100 ms block while turning: centripetal acceleration (hx, hy) with yaw rate yawRps. */
export function kfTurn(k: HeadingKf, hx: number, hy: number, yawRps: number, dtS: number): void {
  const sign = yawRps > 0 ? 1 : -1;
  // left = sign·h; forward = left turned by -90°
  const forward = Math.atan2(sign * hy, sign * hx) - Math.PI / 2;
  update(k, wrap(forward), R_TURN);
  k.turnS += dtS;
}

export function kfDirect(k: HeadingKf, ux: number, uy: number): void {
  update(k, Math.atan2(uy, ux), R_DIRECT);
  k.direct++;
}

/** Strong straight-line acceleration: its axis (sign unknown) refines φ once the filter is confident. */
export function kfAxis(k: HeadingKf, hx: number, hy: number): void {
  if (!k.init || k.p00 > 0.3 * 0.3) return;
  let a = Math.atan2(hy, hx);
  if (Math.abs(wrap(a - k.phi)) > Math.PI / 2) a = wrap(a + Math.PI);
  update(k, a, R_AXIS);
}

/**
 * Calibrated: enough evidence and the angle's standard deviation under 45°. Without GPS only the sign of the
 * longitudinal acceleration rests on the angle (its magnitude is the whole horizontal acceleration or comes from
 * |a|), and the sign is right while the error is under 90°: two standard deviations. (It was ±35°, which left
 * the drifting yaw of the Ferreira trip 17 uncalibrated for 18% of the trip, at σ 35–37°.)
 */
export function kfOk(k: HeadingKf, minEvidence: number): boolean {
  return k.init && k.turnS + k.direct >= minEvidence && k.p00 < SIGN_SIGMA_RAD * SIGN_SIGMA_RAD;
}
const SIGN_SIGMA_RAD = Math.PI / 4;
