// What the road throws at a trip besides its geometry: stops at some junctions (lights, stop signs, giving
// way when turning), queues and stop-and-go in congestion, and the occasional car ahead stopping short.
// Congestion follows the hour of the day, so a 08:00 commute is slower than the same route at 22:00.
import type { SlowZone, StopPoint, TripPlan } from './dynamics.ts';
import type { Rng } from './rng.ts';
import type { DrivingParams } from './styles.ts';
import type { Track } from './track.ts';

const MAJOR = new Set(['motorway', 'trunk', 'primary', 'secondary', 'trunk_link', 'primary_link']);

/** Congestion level 0..1 by local hour (fractional) and weekday (0 = Sunday). */
export function congestionAt(localHour: number, weekday: number): number {
  const weekend = weekday === 0 || weekday === 6;
  const bump = (h: number, centre: number, width: number): number => Math.exp(-(((h - centre) / width) ** 2));
  if (weekend) return 0.1 + 0.35 * bump(localHour, 12.5, 3);
  const peaks =
    0.75 * bump(localHour, 8.2, 1.1) + 0.85 * bump(localHour, 18, 1.4) + 0.3 * bump(localHour, 13, 1);
  const night = localHour < 6 || localHour >= 22 ? -0.05 : 0;
  return Math.max(0.03, Math.min(1, 0.12 + peaks + night));
}

export interface PlanOptions {
  /** Congestion level 0..1 (see congestionAt). */
  congestion: number;
  /** Leave out traffic (zones, traffic stops) — junction stops and the final stop stay. */
  noTraffic?: boolean;
  /** Force every junction to be a stop (tests) or none (0). */
  junctionStopProb?: number;
  /** Fix the day's mood (z-score) instead of drawing it. */
  mood?: number;
}

export function planTrip(track: Track, p: DrivingParams, rng: Rng, opts: PlanOptions): TripPlan {
  const c = opts.congestion;
  const stops: StopPoint[] = [];
  const onset = (): number => Math.exp(p.brakeOnsetSpread * rng.normal());
  const lengthM = track.lengthM;

  for (const j of track.junctions) {
    if (j.sM < 30 || j.sM > lengthM - 30) continue;
    const turning = j.turnRad > (35 * Math.PI) / 180;
    const prob =
      opts.junctionStopProb ?? 0.06 + (turning ? 0.2 : 0) + (MAJOR.has(j.roadClass) ? 0.08 : 0) + 0.1 * c;
    if (!rng.bool(prob)) continue;
    stops.push({
      sM: j.sM,
      dwellS: Math.min(60, Math.max(1, rng.lognormal(Math.log(turning ? 6 : 12), 0.8))),
      // Signals and signs are placed (and amber phases timed) so a stop at the limit is comfortable.
      visibleFromM: Math.max(rng.uniform(60, 180), limitAt(track, j.sM) ** 2 / (2 * 1.8) + 15),
      kind: 'junction',
      onsetFactor: onset(),
    });
  }

  const zones: SlowZone[] = [];
  if (!opts.noTraffic) {
    const km = lengthM / 1000;
    const nZones = rng.poisson(c * km * 0.5);
    for (let z = 0; z < nZones; z++) {
      const fromM = rng.uniform(50, Math.max(60, lengthM - 100));
      const toM = Math.min(lengthM - 20, fromM + rng.uniform(150, 900));
      const limit = track.speedLimitMps[Math.min(track.n - 1, Math.floor(fromM / track.dsM))]!;
      if (rng.bool(0.1 + 0.4 * c)) {
        // Stop-and-go: a crawl with short stops whose place the driver learns only from the car in front.
        zones.push({ fromM, toM, capMps: rng.uniform(4, 9) });
        for (let s = fromM + rng.uniform(20, 80); s < toM; s += rng.uniform(25, 120)) {
          stops.push({
            sM: s,
            dwellS: rng.uniform(1, 10),
            visibleFromM: rng.uniform(25, 60),
            kind: 'traffic',
            onsetFactor: onset(),
          });
        }
      } else {
        zones.push({ fromM, toM, capMps: Math.max(3, limit * rng.uniform(0.35, 0.75)) });
      }
    }
    // A car ahead stopping to turn, a pedestrian crossing: seen late-ish, for every style.
    const nSudden = rng.poisson(km * 0.12 * (0.5 + c));
    for (let k = 0; k < nSudden; k++) {
      stops.push({
        sM: rng.uniform(60, Math.max(70, lengthM - 60)),
        dwellS: rng.uniform(0.5, 5),
        visibleFromM: rng.uniform(40, 120),
        kind: 'traffic',
        onsetFactor: onset(),
      });
    }
  }
  stops.push({ sM: Math.max(0, lengthM - 1), dwellS: 0, visibleFromM: 250, kind: 'end', onsetFactor: 1 });
  stops.sort((a, b) => a.sM - b.sM);
  return {
    track,
    stops,
    zones,
    idleBeforeS: rng.uniform(5, 40),
    idleAfterS: rng.uniform(3, 20),
    mood: opts.mood ?? rng.normal(),
  };
}

function limitAt(track: Track, sM: number): number {
  return track.speedLimitMps[Math.min(track.n - 1, Math.max(0, Math.floor(sM / track.dsM)))]!;
}
