// Phone distraction (screen on, unlock, handling while moving) and calls (hands-free vs handheld).
import type { PipelineConfig } from './config.ts';
import type { EventDraft } from './drafts.ts';
import type { PhoneItem } from './reorder.ts';

export interface PhoneState {
  screenOn: boolean;
  /** An unlock / handling / app event counts as interaction until then. */
  momentUntil: number;
  episode: {
    startT: number;
    endT: number;
    triggers: string[];
    lat: number | null;
    lon: number | null;
    speed: number | null;
  } | null;
  call: { startT: number; handsFree: boolean; movingMs: number } | null;
  /** Interactions since the last motion update, named in the episode. */
  recent: string[];
}

export function newPhoneState(): PhoneState {
  return { screenOn: false, momentUntil: -1e15, episode: null, call: null, recent: [] };
}

function interacting(s: PhoneState, t: number): boolean {
  return s.screenOn || t < s.momentUntil;
}

/** A phone event; returns a finished call event, if any. */
export function phoneEvent(s: PhoneState, cfg: PipelineConfig, e: PhoneItem): EventDraft | null {
  switch (e.event) {
    case 'screen_on':
      s.screenOn = true;
      break;
    case 'screen_off':
      s.screenOn = false;
      s.momentUntil = e.t;
      break;
    case 'unlock':
    case 'handling':
    case 'app_foreground':
      s.momentUntil = Math.max(s.momentUntil, e.t + cfg.phoneMomentMs);
      break;
    case 'call_start':
      s.call = { startT: e.t, handsFree: e.handsFree === true, movingMs: 0 };
      break;
    case 'call_end': {
      const c = s.call;
      s.call = null;
      if (c === null || c.movingMs <= 0) return null;
      return {
        kind: 'phone_call',
        source: 'detected',
        severity: c.handsFree ? 'low' : 'severe',
        startMs: c.startT,
        endMs: e.t,
        peakValue: c.movingMs,
        peakUnit: 'ms',
        speedBeforeMps: null,
        speedAfterMps: null,
        lat: null,
        lon: null,
        detail: { handsFree: c.handsFree, movingMs: c.movingMs },
        imu: null,
        wantsImu: false,
      };
    }
  }
  if (e.event !== 'screen_off' && e.event !== 'call_start' && s.recent.length < 8) s.recent.push(e.event);
  return null;
}

/**
 * Time passes (a motion update of dtMs at the given speed). Accumulates phone use while moving above
 * phoneMinSpeedMps and closes a distraction episode when the interaction stops or the vehicle slows.
 */
export function phoneMotion(
  s: PhoneState,
  cfg: PipelineConfig,
  t: number,
  dtMs: number,
  speedMps: number | null,
  moving: boolean,
  lat: number | null,
  lon: number | null,
  acc: { phoneUseMs: number; handheldCallMs: number; handsFreeCallMs: number },
): EventDraft | null {
  const fast = speedMps === null ? moving : speedMps > cfg.phoneMinSpeedMps;
  if (s.call !== null && fast) {
    s.call.movingMs += dtMs;
    if (s.call.handsFree) acc.handsFreeCallMs += dtMs;
    else acc.handheldCallMs += dtMs;
  }
  const handheldCall = s.call !== null && !s.call.handsFree;
  if (fast && (interacting(s, t) || handheldCall)) {
    acc.phoneUseMs += dtMs;
    if (s.episode === null)
      s.episode = { startT: t - dtMs, endT: t, triggers: [], lat, lon, speed: speedMps };
    else s.episode.endT = t;
    for (const r of s.recent) if (!s.episode.triggers.includes(r)) s.episode.triggers.push(r);
    s.recent = [];
    return null;
  }
  s.recent = [];
  const ep = s.episode;
  if (ep === null) return null;
  s.episode = null;
  const durationMs = ep.endT - ep.startT;
  return {
    kind: 'phone_distraction',
    source: 'detected',
    severity: durationMs >= 30_000 ? 'severe' : durationMs >= 10_000 ? 'moderate' : 'low',
    startMs: ep.startT,
    endMs: ep.endT,
    peakValue: durationMs,
    peakUnit: 'ms',
    speedBeforeMps: ep.speed,
    speedAfterMps: speedMps,
    lat: ep.lat,
    lon: ep.lon,
    detail: { triggers: ep.triggers.join(',') || null, durationMs },
    imu: null,
    wantsImu: false,
  };
}
