// Writes the pipeline's finished trips and events; ids are deterministic, so a replay writes nothing twice.
import type { DrivingEvent, PipelineOutput, Trip } from '../pipeline/types.ts';
import type { Queryable } from './db.ts';
import type { DeviceRecord } from './devices.ts';

const ts = (ms: number): Date => new Date(ms);

async function insertTrip(
  q: Queryable,
  d: DeviceRecord,
  t: Trip,
  extra: Record<string, unknown>,
): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO trips (id, tenant_id, device_id, driver_id, start_at, end_at, distance_m, duration_s,
                        mode, mode_confidence, status, features, trace)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
    [
      t.id,
      d.tenantId,
      d.id,
      d.driverId,
      ts(t.startMs),
      ts(t.endMs),
      t.features.distanceM,
      t.features.durationMs / 1000,
      t.mode,
      t.modeConfidence,
      t.needsConfirmation ? 'needs_confirmation' : 'scored',
      JSON.stringify({ ...t.features, ...extra, endReason: t.endReason }),
      JSON.stringify(t.trace),
    ],
  );
  return (r.rowCount ?? 0) > 0;
}

async function insertEvents(q: Queryable, d: DeviceRecord, events: DrivingEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const r = await q.query(
    `INSERT INTO events (id, trip_id, tenant_id, device_id, driver_id, kind, severity, start_at, end_at, peak,
                         lat, lon, speed_before_mps, speed_after_mps, details, evidence)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::timestamptz[], $9::timestamptz[], $10::float8[], $11::float8[], $12::float8[],
                          $13::float8[], $14::float8[], $15::jsonb[], $16::jsonb[])
     ON CONFLICT (id) DO NOTHING`,
    [
      events.map((e) => e.id),
      events.map((e) => e.tripId),
      events.map(() => d.tenantId),
      events.map(() => d.id),
      events.map(() => d.driverId),
      events.map((e) => e.kind),
      events.map((e) => e.severity),
      events.map((e) => ts(e.startMs)),
      events.map((e) => ts(e.endMs)),
      events.map((e) => e.peakValue),
      events.map((e) => e.lat),
      events.map((e) => e.lon),
      events.map((e) => e.speedBeforeMps),
      events.map((e) => e.speedAfterMps),
      events.map((e) => JSON.stringify({ ...e.detail, source: e.source, peakUnit: e.peakUnit })),
      events.map((e) => (e.evidence ? JSON.stringify(e.evidence) : null)),
    ],
  );
  return r.rowCount ?? 0;
}

/** Stores finished trips with their events; returns how many of each were new. */
export async function saveOutputs(
  q: Queryable,
  device: DeviceRecord,
  out: PipelineOutput,
  /** Features computed beside the pipeline (e.g. weather and area-risk context), merged into the stored ones. */
  extraFeatures?: (t: Trip) => Record<string, unknown>,
): Promise<{ trips: Trip[]; events: number }> {
  const fresh: Trip[] = [];
  for (const t of out.trips) if (await insertTrip(q, device, t, extraFeatures?.(t) ?? {})) fresh.push(t);
  const tripIds = new Set(out.trips.map((t) => t.id));
  const events = await insertEvents(
    q,
    device,
    out.events.filter((e) => tripIds.has(e.tripId)),
  );
  return { trips: fresh, events };
}
