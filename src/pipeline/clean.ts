// GPS cleaning: drops (0,0), inaccurate and physically impossible fixes before they reach the filter.
import { haversineM } from '../domain/index.ts';
import type { PipelineConfig } from './config.ts';
import type { GpsItem } from './reorder.ts';

export type FixVerdict = 'ok' | 'null_island' | 'inaccurate' | 'invalid' | 'jump';

interface Anchor {
  t: number;
  lat: number;
  lon: number;
  acc: number;
}

export interface CleanState {
  last: Anchor | null;
  /** Where consecutive rejected fixes agree with each other; believed after jumpResetFixes of them. */
  jump: (Anchor & { count: number }) | null;
  counts: Record<FixVerdict, number>;
}

export function newCleanState(): CleanState {
  return { last: null, jump: null, counts: { ok: 0, null_island: 0, inaccurate: 0, invalid: 0, jump: 0 } };
}

function plausible(
  cfg: PipelineConfig,
  a: Anchor,
  t: number,
  lat: number,
  lon: number,
  acc: number,
): boolean {
  const dtS = Math.max(0.001, (t - a.t) / 1000);
  const d = Math.max(0, haversineM(a.lat, a.lon, lat, lon) - a.acc - acc);
  return d / dtS <= cfg.maxPlausibleSpeedMps;
}

export function checkFix(s: CleanState, cfg: PipelineConfig, f: GpsItem): FixVerdict {
  const v = verdict(s, cfg, f);
  s.counts[v]++;
  return v;
}

function verdict(s: CleanState, cfg: PipelineConfig, f: GpsItem): FixVerdict {
  if (!Number.isFinite(f.lat) || !Number.isFinite(f.lon) || Math.abs(f.lat) > 90 || Math.abs(f.lon) > 180) {
    return 'invalid';
  }
  if (Math.abs(f.lat) < 1e-6 && Math.abs(f.lon) < 1e-6) return 'null_island';
  if (f.accuracyM !== null && !(f.accuracyM <= cfg.maxAccuracyM)) return 'inaccurate';
  if (f.speedMps !== null && !(f.speedMps >= 0 && f.speedMps <= cfg.maxPlausibleSpeedMps)) return 'invalid';
  const acc = f.accuracyM ?? 10;
  const here: Anchor = { t: f.t, lat: f.lat, lon: f.lon, acc };
  if (s.last === null || plausible(cfg, s.last, f.t, f.lat, f.lon, acc)) {
    s.last = here;
    s.jump = null;
    return 'ok';
  }
  if (s.jump !== null && plausible(cfg, s.jump, f.t, f.lat, f.lon, acc)) {
    const count = s.jump.count + 1;
    if (count >= cfg.jumpResetFixes) {
      s.last = here;
      s.jump = null;
      return 'ok';
    }
    s.jump = { ...here, count };
  } else {
    s.jump = { ...here, count: 1 };
  }
  return 'jump';
}
