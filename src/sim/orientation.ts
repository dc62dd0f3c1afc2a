// Where the phone points during a trip: its mount, and each time it is picked up (to read, to hold a call
// at the ear, or just moved) the swing into the hand and back down — often to a slightly different
// placement, which is exactly what breaks a naive orientation alignment in the pipeline.
import type { PhoneEpisode } from './dynamics.ts';
import type { Rng } from './rng.ts';
import {
  earQuat,
  handQuat,
  type MountKind,
  mountQuat,
  type Quat,
  quatFromAxisAngle,
  quatMul,
  slerp,
} from './rotation.ts';

export interface OrientationKey {
  tMs: number;
  q: Quat;
}

/** A phone swing: the arm moves the phone, accelerating and then decelerating it (one sine period). */
export interface Swing {
  startMs: number;
  endMs: number;
  /** Unit direction in the vehicle frame. */
  dir: [number, number, number];
  ampMps2: number;
}

export interface OrientationTimeline {
  keys: OrientationKey[];
  swings: Swing[];
  /** Intervals during which the phone is in the hand (orientation jitters). */
  inHand: Array<{ startMs: number; endMs: number }>;
}

const PICK_MS = 800;

export function buildOrientation(
  initial: Quat,
  mount: MountKind,
  episodes: readonly PhoneEpisode[],
  rng: Rng,
): OrientationTimeline {
  const keys: OrientationKey[] = [{ tMs: 0, q: initial }];
  const swings: Swing[] = [];
  const inHand: OrientationTimeline['inHand'] = [];
  let q = initial;
  let lastMs = 0;
  const swing = (startMs: number, endMs: number): void => {
    const u = [rng.normal(), rng.normal(), rng.normal()];
    const n = Math.hypot(u[0]!, u[1]!, u[2]!) || 1;
    swings.push({ startMs, endMs, dir: [u[0]! / n, u[1]! / n, u[2]! / n], ampMps2: rng.uniform(1, 3) });
  };
  for (const e of episodes) {
    const handled = e.kind === 'screen' || e.kind === 'reposition' || (e.kind === 'call' && !e.handsFree);
    if (!handled) continue;
    const t0 = Math.max(Math.round(e.startS * 1000), lastMs + 50);
    const t1 = Math.max(Math.round(e.endS * 1000), t0 + 2 * PICK_MS);
    const held = e.kind === 'call' ? earQuat(rng) : handQuat(rng);
    const placed = placeBack(q, mount, rng);
    keys.push({ tMs: t0, q });
    if (e.kind === 'reposition') {
      keys.push({ tMs: t0 + PICK_MS, q: held });
      keys.push({ tMs: t0 + 2 * PICK_MS, q: placed });
      swing(t0, t0 + PICK_MS);
      swing(t0 + PICK_MS, t0 + 2 * PICK_MS);
      lastMs = t0 + 2 * PICK_MS;
    } else {
      keys.push({ tMs: t0 + PICK_MS, q: held });
      keys.push({ tMs: t1 - PICK_MS, q: held });
      keys.push({ tMs: t1, q: placed });
      swing(t0, t0 + PICK_MS);
      swing(t1 - PICK_MS, t1);
      inHand.push({ startMs: t0 + PICK_MS, endMs: t1 - PICK_MS });
      lastMs = t1;
    }
    q = placed;
  }
  return { keys, swings, inHand };
}

/** Put back in a cradle the phone sits almost as before; dropped on a seat or console it lands anew. */
function placeBack(previous: Quat, mount: MountKind, rng: Rng): Quat {
  if (mount === 'cradle_portrait' || mount === 'cradle_landscape') {
    const axis = [rng.normal(), rng.normal(), rng.normal()] as const;
    return quatMul(
      previous,
      quatFromAxisAngle(axis[0], axis[1], axis[2], (rng.normal(0, 2) * Math.PI) / 180),
    );
  }
  return mountQuat(mount, rng);
}

/** Orientation at time t; `cursor.i` remembers the key segment for monotonic queries. */
export function orientationAt(tl: OrientationTimeline, tMs: number, cursor: { i: number }): Quat {
  const keys = tl.keys;
  while (cursor.i < keys.length - 1 && keys[cursor.i + 1]!.tMs <= tMs) cursor.i++;
  const a = keys[cursor.i]!;
  const b = keys[cursor.i + 1];
  if (!b || a.q === b.q) return a.q;
  const f = (tMs - a.tMs) / (b.tMs - a.tMs);
  // Smoothstep: the hand starts and stops the rotation gently.
  return slerp(a.q, b.q, f * f * (3 - 2 * f));
}
