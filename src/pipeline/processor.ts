// The per-device streaming state machine: reorder → clean → orient → detect → segment → finalise.
// All state lives in ProcessorState (state.ts), plain JSON data; this class only routes samples through it.
import type { SensorBatch } from '../domain/index.ts';
import { checkFix } from './clean.ts';
import type { PipelineConfig } from './config.ts';
import { crashHandling, crashMotion, crashSample } from './crash.ts';
import { addDraft, deviceDraft, type EventDraft } from './drafts.ts';
import { ringPush, ringWindow } from './evidence.ts';
import { finalizeTrip } from './finalize.ts';
import { type Context, latReset, latStep, longReset, longStep } from './harsh.ts';
import { kalmanStep } from './kalman.ts';
import { OUT, orientGps, orientSample, resetMount } from './orientation.ts';
import { phoneEvent, phoneMotion } from './phone.ts';
import {
  type DeviceItem,
  type GpsItem,
  heldUntilMs,
  type ImuChunk,
  ingestBatch,
  type PhoneItem,
  type ReleaseHandler,
  release,
} from './reorder.ts';
import type { ProcessorState } from './state.ts';
import {
  accumulate,
  type Motion,
  type OpenTrip,
  openTrip,
  type SegAction,
  segFlush,
  segGap,
  segIgnition,
  segMotion,
  takeMark,
} from './trips.ts';
import type { LiveTripView, PipelineDeps, PipelineOutput, Trip } from './types.ts';

/** The yaw rate that goes with the lateral acceleration lateral() returned (written there, no allocation). */
const LAT = { yaw: 0 };
/** In the hand, the GPS course rate × speed must reach this share of the cornering threshold. */
const IN_HAND_COURSE_SHARE = 0.7;
/** GPS speed older than this (two missed fixes) no longer gives the lateral acceleration. */
const LATERAL_GPS_MAX_AGE_MS = 2_500;
/** A pause in the IMU stream longer than this resets the manoeuvre detectors. */
const IMU_GAP_MS = 1000;
/** An IMU pause this long (the app or phone was off) may have seen the phone moved: its mount is learnt anew. */
const MOUNT_GAP_MS = 60_000;

export class Engine implements ReleaseHandler {
  private out: PipelineOutput = { trips: [], events: [] };
  private readonly ctx: Context = { speedMps: null, lat: null, lon: null };
  readonly cfg: Readonly<PipelineConfig>;

  constructor(
    readonly s: ProcessorState,
    private readonly deps: PipelineDeps,
  ) {
    this.cfg = Object.freeze(s.config);
    this.syncCtx();
  }

  /** Takes what became final since the last call. */
  take(): PipelineOutput {
    const o = this.out;
    this.out = { trips: [], events: [] };
    return o;
  }

  push(b: SensorBatch): void {
    this.s.stats.batches++;
    const r = this.s.reorder;
    if (!ingestBatch(r, this.cfg, b) || r.maxSeenMs === null) return;
    const upTo = r.maxSeenMs - this.cfg.reorderWindowMs;
    if (r.releasedUpToMs === null || upTo > r.releasedUpToMs) release(r, upTo, this);
  }

  tick(nowMs: number): void {
    const r = this.s.reorder;
    const upTo = nowMs - this.cfg.reorderWindowMs;
    // Releases what the clock has passed, but the watermark moves no further than the newest sample: a tick is
    // not data, so samples for the time since that arrive later (a phone's buffered upload) are new, not late.
    const held = heldUntilMs(r);
    const to = held === null ? null : Math.min(upTo, held);
    if (to !== null && (r.releasedUpToMs === null || to > r.releasedUpToMs)) release(r, to, this);
    this.apply(segGap(this.s.seg, this.cfg, upTo), null);
  }

  flush(): void {
    const held = heldUntilMs(this.s.reorder);
    if (held !== null) release(this.s.reorder, held, this);
    this.apply(segFlush(this.s.seg), null);
  }

  private syncCtx(): void {
    const f = this.s.fix;
    const fresh =
      f !== null && this.s.lastImuT !== null ? this.s.lastImuT - f.t <= this.cfg.gpsStaleMs : f !== null;
    this.ctx.speedMps = f !== null && fresh ? f.speedMps : null;
    this.ctx.lat = f?.lat ?? null;
    this.ctx.lon = f?.lon ?? null;
  }

  gps(item: GpsItem): void {
    const s = this.s;
    if (item.ignition !== null && item.ignition !== s.seg.ignition)
      this.apply(segIgnition(s.seg, this.cfg, item.t, item.ignition), null);
    if (checkFix(s.clean, this.cfg, item) !== 'ok') {
      if (s.trip) s.trip.totals.fixesDropped++;
      return;
    }
    const { state, out } = kalmanStep(
      s.kf,
      item.t,
      item.lat,
      item.lon,
      item.accuracyM,
      item.speedMps,
      item.headingDeg,
      this.cfg.kalmanAccelNoiseMps2,
    );
    s.kf = state;
    const prev = s.fix;
    const dtS = prev === null ? 0 : (item.t - prev.t) / 1000;
    const dvdt = prev !== null && dtS > 0 && dtS <= 2 ? (out.speedMps - prev.speedMps) / dtS : null;
    orientGps(s.orient, item.t, dvdt, out.headingDeg, out.speedMps);
    s.fix = { t: item.t, lat: out.lat, lon: out.lon, speedMps: out.speedMps, headingDeg: out.headingDeg };
    this.syncCtx();
    this.motion(
      { t: item.t, speedMps: out.speedMps, imuActive: false, lat: out.lat, lon: out.lon },
      out.headingDeg,
    );
  }

  private motion(m: Motion, headingDeg: number | null): void {
    const s = this.s;
    const cfg = this.cfg;
    this.apply(segGap(s.seg, cfg, m.t), null);
    this.apply(segMotion(s.seg, cfg, m, s.trip), m);
    const tr = s.trip;
    if (tr === null) return;
    const { dtMs, moving } = accumulate(tr, m, headingDeg, cfg);
    takeMark(s.seg, tr);
    const d1 = phoneMotion(s.phone, cfg, m.t, dtMs, m.speedMps, moving, m.lat, m.lon, tr.totals);
    if (d1) this.addEvent(d1);
    const d2 = crashMotion(s.crash, cfg, m.t, !moving, m.speedMps);
    if (d2) this.addEvent(d2);
  }

  private addEvent(d: EventDraft): void {
    if (this.s.trip) addDraft(this.s.trip.events, d, this.cfg);
  }

  private apply(a: SegAction, m: Motion | null): void {
    const s = this.s;
    switch (a.type) {
      case 'none':
        return;
      case 'start':
        s.trip = openTrip(s.deviceId, a.t, m?.lat ?? null, m?.lon ?? null);
        return;
      case 'confirm':
        if (s.trip) s.trip.confirmed = true;
        return;
      case 'cancel':
        s.trip = null;
        return;
      case 'end':
        this.closeTrip(a.endMs, a.reason, a.mark);
    }
  }

  private closeTrip(endMs: number, reason: Trip['endReason'], mark: OpenTrip['totals'] | null): void {
    const s = this.s;
    const ot = s.trip;
    s.trip = null;
    if (ot === null) return;
    if (mark !== null) {
      ot.totals = { ...mark };
      const n = mark.traceLen;
      for (const k of ['tMs', 'lat', 'lon', 'speedMps', 'headingDeg'] as const) ot.trace[k].length = n;
    }
    this.captureEvidence(ot, true);
    longReset(s.long);
    latReset(s.lat);
    // Parked, a phone leaves the car and comes back in another mount: learn it again next trip. (A trip closed
    // by a gap is reset by the IMU gap itself if the phone stopped recording — not when only uploads stopped.)
    if (reason !== 'gap') this.newMount();
    s.crash.cand = null;
    s.phone.episode = null;
    const res = finalizeTrip(
      ot,
      { deviceId: s.deviceId, endMs, reason },
      this.cfg,
      s.drive,
      this.deps.speedLimits,
    );
    if (res === null) {
      s.stats.tripsDropped++;
      return;
    }
    s.stats.tripsEmitted++;
    s.stats.eventsEmitted += res.events.length;
    this.out.trips.push(res.trip);
    this.out.events.push(...res.events);
  }

  private captureEvidence(ot: OpenTrip, final: boolean): void {
    const r = this.s.ring;
    const m = this.cfg.evidenceMarginMs;
    for (let i = ot.events.length - 1; i >= 0; i--) {
      const d = ot.events[i]!;
      if (!final && r.lastT - d.endMs > 60_000) break;
      if (!d.wantsImu || d.imu !== null) continue;
      if (final || r.lastT >= d.endMs + m) d.imu = ringWindow(r, d.startMs - m, d.endMs + m, d.startMs);
    }
  }

  phone(item: PhoneItem): void {
    const s = this.s;
    const o = s.orient;
    if (item.event === 'handling') {
      // The phone moved in the car: its mounting is unknown again.
      if (o.frame !== null && o.frame !== 'vehicle') resetMount(o, o.frame);
      longReset(s.long);
      latReset(s.lat);
      crashHandling(s.crash, item.t);
      // Picked up to read or to hold a call, it stays in the hand until the screen goes off or the call ends.
      o.handHeld = s.phone.screenOn || (s.phone.call !== null && !s.phone.call.handsFree);
      o.handledT = item.t;
    } else if (o.handHeld && (item.event === 'screen_off' || item.event === 'call_end')) {
      // Put down, often elsewhere (a seat, the console): learn the mount again.
      o.handHeld = false;
      if (o.frame !== null && o.frame !== 'vehicle') resetMount(o, o.frame);
    }
    const d = phoneEvent(s.phone, this.cfg, item);
    if (d) this.addEvent(d);
  }

  device(item: DeviceItem): void {
    if (item.kind === 'ignition_on' || item.kind === 'ignition_off') {
      this.apply(segIgnition(this.s.seg, this.cfg, item.t, item.kind === 'ignition_on'), null);
      return;
    }
    const d = deviceDraft(item, this.ctx, this.cfg);
    if (d) this.addEvent(d);
  }

  imu(c: ImuChunk, from: number, to: number): void {
    const s = this.s;
    const cfg = this.cfg;
    const o = s.orient;
    const bucketMs = 1000 / cfg.evidenceHz;
    const tauS = cfg.smoothingTauMs / 1000;
    const gx = c.gx;
    const gy = c.gy;
    const gz = c.gz;
    for (let i = from; i < to; i++) {
      const t = c.t[i]!;
      if (s.lastImuT !== null && t - s.lastImuT > IMU_GAP_MS) this.imuGap(t);
      const dtS = s.lastImuT === null ? 0 : Math.min(0.2, (t - s.lastImuT) / 1000);
      s.lastImuT = t;
      orientSample(
        o,
        cfg,
        c.frame,
        t,
        c.ax[i]!,
        c.ay[i]!,
        c.az[i]!,
        gx ? gx[i]! : 0,
        gy ? gy[i]! : 0,
        gz ? gz[i]! : 0,
        this.ctx.speedMps,
      );
      const tr = s.trip;
      if (tr !== null) {
        const k = dtS >= tauS ? 1 : dtS / tauS;
        tr.totals.imuMs += dtS * 1000;
        if (OUT.forwardOk) {
          tr.totals.imuCalibratedMs += dtS * 1000;
          const d = longStep(s.long, cfg, t, OUT.lon, k, this.ctx);
          if (d) addDraft(tr.events, d, cfg);
        }
        const lat = this.lateral(t);
        if (OUT.level && gz !== null) {
          const d = latStep(s.lat, cfg, t, lat, LAT.yaw, dtS, k, this.ctx);
          if (d) addDraft(tr.events, d, cfg);
        }
        if (OUT.level) {
          crashSample(
            s.crash,
            cfg,
            t,
            OUT.hx * OUT.hx + OUT.hy * OUT.hy + OUT.vert * OUT.vert,
            this.ctx,
            s.seg.phase !== 'idle',
          );
        }
        if (ringPush(s.ring, bucketMs, t, OUT.lon, lat, OUT.vert, OUT.yaw) && tr.events.length > 0)
          this.captureEvidence(tr, false);
      }
      if (o.windowActive !== null) {
        const active = o.windowActive;
        o.windowActive = null;
        this.imuSecond(t, active);
      }
    }
  }

  /**
   * Lateral acceleration (+ left); the yaw rate that confirms it goes to LAT.yaw.
   * - With a fresh GPS speed: speed × gyroscope yaw rate — exact for a car (centripetal acceleration without
   *   side-slip) and independent of how the phone sits, where the accelerometer's lateral axis carries 0.02–0.05 g
   *   of leaked gravity and longitudinal acceleration from a gravity estimate tilted by a degree or two and a
   *   forward axis a few degrees off (simulated fleet: cornering precision 0.08 → see docs/pipeline.md §9).
   * - Phone in the hand (picked up with the screen on, a handheld call, or a handling moment): the gyroscope
   *   turns with the hand (1–3 rad/s swings) and the forward axis is unknown, so the magnitude is the horizontal
   *   acceleration less the GPS speed change, the direction and the confirming yaw rate the GPS course rate —
   *   which must itself imply IN_HAND_COURSE_SHARE of the threshold, so a swing of the phone in a gentle bend is
   *   not a harsh turn.
   * - Without GPS: the accelerometer's lateral axis.
   */
  private lateral(t: number): number {
    LAT.yaw = OUT.yaw;
    const f = this.s.fix;
    const o = this.s.orient;
    if (f === null || t < f.t || t - f.t > LATERAL_GPS_MAX_AGE_MS || !this.cfg.lateralFromGps) return OUT.lat;
    const dv = o.gpsDvdt ?? 0;
    // The speed is carried between fixes with the last GPS speed change.
    const v = Math.max(0, f.speedMps + (dv * (t - f.t)) / 1000);
    if (!o.handHeld && t - o.handledT >= this.cfg.phoneMomentMs) return v * OUT.yaw;
    const w = o.courseRps ?? 0;
    LAT.yaw = w;
    if (Math.abs(v * w) < IN_HAND_COURSE_SHARE * this.cfg.harshCorneringMps2) return 0;
    const m = Math.sqrt(Math.max(0, OUT.hx * OUT.hx + OUT.hy * OUT.hy - dv * dv));
    return w > 0 ? m : -m;
  }

  /**
   * The IMU resumes after a gap: a manoeuvre in progress cannot span it, and a gap longer than the dwell window
   * ends the trip before these samples (else a trip's last manoeuvre could absorb the next day's first seconds).
   */
  private imuGap(t: number): void {
    longReset(this.s.long);
    latReset(this.s.lat);
    if (this.s.lastImuT !== null && t - this.s.lastImuT > MOUNT_GAP_MS) this.newMount();
    this.apply(segGap(this.s.seg, this.cfg, t), null);
  }

  private newMount(): void {
    const o = this.s.orient;
    if (o.frame === 'device' || o.frame === 'earth') resetMount(o, o.frame);
  }

  /** One second of IMU: without fresh GPS, it is what tells the segmenter whether the vehicle moves. */
  private imuSecond(t: number, active: boolean): void {
    const f = this.s.fix;
    this.syncCtx();
    if (f !== null && t - f.t <= this.cfg.gpsStaleMs) return;
    this.motion({ t, speedMps: null, imuActive: active, lat: null, lon: null }, null);
  }

  live(): LiveTripView | null {
    const tr = this.s.trip;
    if (tr === null) return null;
    return {
      tripId: tr.id,
      confirmed: tr.confirmed,
      startMs: tr.startMs,
      lastMs: tr.lastMs,
      lat: tr.lastLat,
      lon: tr.lastLon,
      speedMps: tr.lastSpeedMps,
      distanceM: Math.round(tr.totals.distanceM),
      eventCount: tr.events.length,
    };
  }
}
