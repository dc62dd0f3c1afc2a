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
    if (r.releasedUpToMs === null || upTo > r.releasedUpToMs) release(r, upTo, this);
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
    orientGps(s.orient, dvdt, out.headingDeg, out.speedMps);
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
    if (item.event === 'handling') {
      // The phone moved in the car: its mounting is unknown again.
      if (s.orient.frame !== null && s.orient.frame !== 'vehicle') resetMount(s.orient, s.orient.frame);
      longReset(s.long);
      latReset(s.lat);
      crashHandling(s.crash, item.t);
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
        if (OUT.level && gz !== null) {
          const d = latStep(s.lat, cfg, t, OUT.lat, OUT.yaw, dtS, k, this.ctx);
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
        if (ringPush(s.ring, bucketMs, t, OUT.lon, OUT.lat, OUT.vert, OUT.yaw) && tr.events.length > 0)
          this.captureEvidence(tr, false);
      }
      if (o.windowActive !== null) {
        const active = o.windowActive;
        o.windowActive = null;
        this.imuSecond(t, active);
      }
    }
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
