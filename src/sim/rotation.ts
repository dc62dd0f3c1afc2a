// Unit quaternions for phone orientation. A mount quaternion q rotates device axes into the vehicle frame
// (x forward, y left, z up): v_vehicle = R(q) · v_device, so the phone reads v_device = R(q)ᵀ · v_vehicle.
import type { Rng } from './rng.ts';

export type Quat = readonly [number, number, number, number]; // w, x, y, z
/** Row-major 3×3 rotation matrix. */
export type Mat3 = Float64Array;

export const IDENTITY: Quat = [1, 0, 0, 0];

export function quatFromAxisAngle(ax: number, ay: number, az: number, angleRad: number): Quat {
  const n = Math.hypot(ax, ay, az) || 1;
  const h = angleRad / 2;
  const s = Math.sin(h) / n;
  return [Math.cos(h), ax * s, ay * s, az * s];
}

export function quatMul(a: Quat, b: Quat): Quat {
  const [aw, ax, ay, az] = a;
  const [bw, bx, by, bz] = b;
  return [
    aw * bw - ax * bx - ay * by - az * bz,
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
  ];
}

export function quatNormalize(q: Quat): Quat {
  const n = Math.hypot(q[0], q[1], q[2], q[3]) || 1;
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

export function quatConj(q: Quat): Quat {
  return [q[0], -q[1], -q[2], -q[3]];
}

export function slerp(a: Quat, b: Quat, t: number): Quat {
  let cos = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  let bb: Quat = b;
  if (cos < 0) {
    cos = -cos;
    bb = [-b[0], -b[1], -b[2], -b[3]];
  }
  if (cos > 0.9995) {
    return quatNormalize([
      a[0] + t * (bb[0] - a[0]),
      a[1] + t * (bb[1] - a[1]),
      a[2] + t * (bb[2] - a[2]),
      a[3] + t * (bb[3] - a[3]),
    ]);
  }
  const th = Math.acos(cos);
  const s = Math.sin(th);
  const wa = Math.sin((1 - t) * th) / s;
  const wb = Math.sin(t * th) / s;
  return [wa * a[0] + wb * bb[0], wa * a[1] + wb * bb[1], wa * a[2] + wb * bb[2], wa * a[3] + wb * bb[3]];
}

export function quatToMatrix(q: Quat, out: Mat3 = new Float64Array(9)): Mat3 {
  const [w, x, y, z] = q;
  out[0] = 1 - 2 * (y * y + z * z);
  out[1] = 2 * (x * y - w * z);
  out[2] = 2 * (x * z + w * y);
  out[3] = 2 * (x * y + w * z);
  out[4] = 1 - 2 * (x * x + z * z);
  out[5] = 2 * (y * z - w * x);
  out[6] = 2 * (x * z - w * y);
  out[7] = 2 * (y * z + w * x);
  out[8] = 1 - 2 * (x * x + y * y);
  return out;
}

/** Uniformly random rotation (Shoemake 1992). */
export function randomQuat(rng: Rng): Quat {
  const u1 = rng.next();
  const u2 = rng.next() * 2 * Math.PI;
  const u3 = rng.next() * 2 * Math.PI;
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  return [a * Math.sin(u2), a * Math.cos(u2), b * Math.sin(u3), b * Math.cos(u3)];
}

/**
 * Angular velocity in the device frame that turns orientation a into b over dtS: the rotation a⁻¹·b
 * (expressed in a's own axes) as axis × angle / dt.
 */
export function angularVelocity(a: Quat, b: Quat, dtS: number): [number, number, number] {
  let d = quatMul(quatConj(a), b);
  if (d[0] < 0) d = [-d[0], -d[1], -d[2], -d[3]];
  const sinHalf = Math.hypot(d[1], d[2], d[3]);
  if (sinHalf < 1e-12) return [0, 0, 0];
  const angle = 2 * Math.atan2(sinHalf, d[0]);
  const k = angle / sinHalf / dtS;
  return [d[1] * k, d[2] * k, d[3] * k];
}

/** The phone's mounting habits. */
export const MOUNT_KINDS = ['cradle_portrait', 'cradle_landscape', 'console_flat', 'seat', 'pocket'] as const;
export type MountKind = (typeof MOUNT_KINDS)[number];

// Device axes (Android): x to the right of the screen, y to its top, z out of the screen.
// Flat, screen up, top pointing forward: device x = vehicle -y, device y = vehicle x, device z = up.
const FLAT_FORWARD: Quat = quatFromAxisAngle(0, 0, 1, -Math.PI / 2);

/** A plausible orientation for a mounting habit, perturbed for this placement. */
export function mountQuat(kind: MountKind, rng: Rng): Quat {
  const yaw = (deg: number): Quat => quatFromAxisAngle(0, 0, 1, (deg * Math.PI) / 180);
  // Tilting about the device x axis raises the phone's top towards the driver.
  const tilt = (deg: number): Quat => quatFromAxisAngle(1, 0, 0, (deg * Math.PI) / 180);
  const roll = (deg: number): Quat => quatFromAxisAngle(0, 1, 0, (deg * Math.PI) / 180);
  switch (kind) {
    case 'cradle_portrait':
      // Vent or dash holder facing the driver: near-vertical, turned a little towards the driver's seat.
      return quatMul(
        yaw(rng.normal(-12, 10)),
        quatMul(FLAT_FORWARD, quatMul(tilt(rng.normal(78, 8)), roll(rng.normal(0, 4)))),
      );
    case 'cradle_landscape':
      return quatMul(
        yaw(rng.normal(-12, 10)),
        quatMul(
          FLAT_FORWARD,
          quatMul(
            tilt(rng.normal(78, 8)),
            quatFromAxisAngle(0, 0, 1, rng.bool(0.5) ? Math.PI / 2 : -Math.PI / 2),
          ),
        ),
      );
    case 'console_flat':
      return quatMul(
        yaw(rng.uniform(0, 360)),
        quatMul(FLAT_FORWARD, quatMul(tilt(rng.normal(0, 5)), roll(rng.normal(0, 5)))),
      );
    case 'seat':
      // On the passenger seat: cushion slope, any heading, sometimes face down.
      return quatMul(
        yaw(rng.uniform(0, 360)),
        quatMul(
          FLAT_FORWARD,
          quatMul(tilt(rng.normal(-12, 6)), roll(rng.bool(0.2) ? 180 : rng.normal(0, 8))),
        ),
      );
    case 'pocket':
      return randomQuat(rng);
  }
}

/** Held in the hand in front of the driver, screen towards the face. */
export function handQuat(rng: Rng): Quat {
  const yaw = quatFromAxisAngle(0, 0, 1, (rng.normal(0, 15) * Math.PI) / 180);
  const tilt = quatFromAxisAngle(1, 0, 0, (rng.normal(45, 12) * Math.PI) / 180);
  const roll = quatFromAxisAngle(0, 1, 0, (rng.normal(0, 10) * Math.PI) / 180);
  return quatMul(yaw, quatMul(FLAT_FORWARD, quatMul(tilt, roll)));
}

/** Held against the ear for a hand-held call. */
export function earQuat(rng: Rng): Quat {
  const yaw = quatFromAxisAngle(0, 0, 1, (rng.normal(-90, 15) * Math.PI) / 180);
  const tilt = quatFromAxisAngle(1, 0, 0, (rng.normal(80, 10) * Math.PI) / 180);
  return quatMul(yaw, quatMul(FLAT_FORWARD, tilt));
}
