// Who drives: age, style, vehicle, where they live and work, how they carry their phone. Every draw comes
// from the driver's own random stream, so driver i is the same whatever the fleet size.
import type { Vehicle } from './dynamics.ts';
import type { Place, RoutePlanner } from './planner.ts';
import type { Rng } from './rng.ts';
import { type MountKind, mountQuat, type Quat } from './rotation.ts';
import { DEFAULT_STYLE_MIX, type DrivingParams, drawDrivingParams, type StyleName } from './styles.ts';

export type ScheduleKind = 'commuter' | 'homebody' | 'night_shift';
export type DeviceKind = 'phone' | 'tracker';

export interface VehicleInfo extends Vehicle {
  ageYears: number;
}

export interface Driver {
  index: number;
  driverId: string;
  deviceId: string;
  /** 15-digit IMEI for trackers (Teltonika login), derived from the index. */
  imei: string;
  deviceKind: DeviceKind;
  style: StyleName;
  params: DrivingParams;
  ageYears: number;
  vehicle: VehicleInfo;
  schedule: ScheduleKind;
  home: Place;
  work: Place | null;
  favourites: Place[];
  /** Usual departure for work, local hours. */
  departHour: number;
  workHours: number;
  mount: MountKind;
  /** The phone's usual placement this driver starts trips with. */
  mountQuat: Quat;
  gpsBaseAccuracyM: number;
}

export interface PopulationOptions {
  styleMix?: Readonly<Partial<Record<StyleName, number>>>;
  deviceKind?: DeviceKind;
  /** Prefix of device ids (default 'sim'). */
  idPrefix?: string;
}

export function drawAge(rng: Rng): number {
  // Licensed drivers: few under 20, a broad middle, a long tail past 70.
  const band = rng.weighted({ young: 0.12, adult: 0.55, middle: 0.23, senior: 0.1 });
  const [lo, hi] = { young: [18, 25], adult: [25, 50], middle: [50, 70], senior: [70, 88] }[band] as [
    number,
    number,
  ];
  return Math.floor(rng.uniform(lo, hi));
}

export function drawStyle(
  rng: Rng,
  ageYears: number,
  mix: Readonly<Partial<Record<StyleName, number>>>,
): StyleName {
  const w = { ...DEFAULT_STYLE_MIX, ...mix };
  // Young drivers are more often aggressive or on the phone; older ones more often calm.
  const young = ageYears < 25 ? 1 : ageYears < 30 ? 0.5 : 0;
  const old = ageYears >= 65 ? 1 : 0;
  return rng.weighted({
    calm: w.calm * (1 + 1.2 * old) * (1 - 0.4 * young),
    normal: w.normal,
    aggressive: w.aggressive * (1 + 1.5 * young) * (1 - 0.6 * old),
    distracted: w.distracted * (1 + 1.2 * young) * (1 - 0.5 * old),
    night_worker: w.night_worker * (1 - 0.8 * old),
  });
}

export function drawVehicle(rng: Rng, ageYears: number): VehicleInfo {
  const youngFactor = ageYears < 25 ? 0.85 : 1;
  const powerKw = Math.round(Math.min(300, Math.max(40, rng.lognormal(Math.log(85 * youngFactor), 0.35))));
  return {
    powerKw,
    massKg: Math.round(1000 + 4 * powerKw + rng.normal(0, 80)),
    ageYears: Math.min(25, Math.floor(rng.gamma(2, ageYears < 25 ? 4.5 : 3.5))),
  };
}

export function createDriver(
  index: number,
  rng: Rng,
  planner: RoutePlanner,
  opts: PopulationOptions = {},
): Driver {
  const ageYears = drawAge(rng);
  const style = drawStyle(rng, ageYears, opts.styleMix ?? {});
  const params = drawDrivingParams(style, rng.fork('params'));
  const schedule: ScheduleKind =
    style === 'night_worker' ? 'night_shift' : ageYears >= 66 || rng.bool(0.12) ? 'homebody' : 'commuter';
  const home = planner.randomPlace(rng);
  const work = schedule === 'homebody' ? null : pickWork(rng, planner, home);
  const favourites: Place[] = [];
  const nFav = 3 + rng.int(3);
  for (let k = 0; k < nFav; k++) {
    favourites.push(
      planner.placeNear && k < nFav - 1 ? planner.placeNear(rng, home, 3000) : planner.randomPlace(rng),
    );
  }
  const mount = rng.weighted<MountKind>({
    cradle_portrait: 0.35,
    cradle_landscape: 0.1,
    console_flat: 0.25,
    seat: 0.15,
    pocket: 0.15,
  });
  const prefix = opts.idPrefix ?? 'sim';
  const deviceKind = opts.deviceKind ?? 'phone';
  return {
    index,
    driverId: `${prefix}-driver-${String(index).padStart(5, '0')}`,
    deviceId: `${prefix}-${deviceKind === 'phone' ? 'phone' : 'trk'}-${String(index).padStart(5, '0')}`,
    imei: `35${String(9_000_000_000_000 + index).padStart(13, '0')}`,
    deviceKind,
    style,
    params,
    ageYears,
    vehicle: drawVehicle(rng, ageYears),
    schedule,
    home,
    work,
    favourites,
    departHour: schedule === 'night_shift' ? rng.uniform(21.5, 23.5) : rng.uniform(6.8, 9.2),
    workHours: rng.uniform(7.5, 9.5),
    mount,
    mountQuat: mountQuat(mount, rng),
    gpsBaseAccuracyM: rng.uniform(3, 7),
  };
}

/** Work is usually a few kilometres from home: keep the candidate closest to a drawn commute distance. */
function pickWork(rng: Rng, planner: RoutePlanner, home: Place): Place {
  const wantM = rng.lognormal(Math.log(5000), 0.6);
  let best: Place | null = null;
  let bestErr = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 8; k++) {
    const p = planner.randomPlace(rng);
    if (p.nodeId === home.nodeId) continue;
    const d = Math.hypot(
      (p.lat - home.lat) * 111_195,
      (p.lon - home.lon) * 111_195 * Math.cos((home.lat * Math.PI) / 180),
    );
    const err = Math.abs(Math.log(Math.max(d, 50) / wantM));
    if (err < bestErr) {
      bestErr = err;
      best = p;
    }
  }
  return best ?? planner.randomPlace(rng);
}
