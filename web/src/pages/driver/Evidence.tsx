// The sensor evidence of one event (GET /v1/events/:id/evidence): GPS speed with the posted limit, and the
// vehicle-frame acceleration, around the event.
import { useMemo } from 'react';
import { useApi } from '../../api/hooks.ts';
import type { Evidence } from '../../api/types.ts';
import { Chart, type Series } from '../../charts/Chart.tsx';
import { dateTime, humanize, num } from '../../ui/format.ts';
import { Loaded } from '../../ui/index.tsx';

const secs = (ms: number[]) => ms.map((t) => Math.round(t / 100) / 10);

export function Plots({ e }: { e: Evidence }) {
  const ev = e.evidence;
  const durationS = (e.endMs - e.startMs) / 1000;
  const markers = useMemo(() => (durationS > 0 ? [0, durationS] : [0]), [durationS]);
  // Both plots over the same seconds: the evidence window is ±5 s around the event.
  const xRange = useMemo<[number, number]>(() => {
    const all = [...(ev?.speed?.tOffsetMs ?? []), ...(ev?.imu?.tOffsetMs ?? [])];
    return all.length ? [Math.min(...all) / 1000, Math.max(...all) / 1000] : [-5, durationS + 5];
  }, [ev, durationS]);
  const speed = useMemo(() => {
    if (!ev?.speed) return null;
    const s: Series[] = [
      {
        label: 'Speed (km/h)',
        values: ev.speed.speedMps.map((v) => Math.round(v * 36) / 10),
        color: '#1565c0',
      },
    ];
    if (ev.speed.limitKmh.some((v) => v !== null))
      s.push({
        label: 'Limit (km/h)',
        values: ev.speed.limitKmh,
        color: '#2e7d32',
        kind: 'step',
        dash: [6, 4],
      });
    return { x: secs(ev.speed.tOffsetMs), s };
  }, [ev]);
  const accel = useMemo(() => {
    if (!ev?.imu) return null;
    const r = (v: number[]) => v.map((x) => Math.round(x * 100) / 100);
    return {
      x: secs(ev.imu.tOffsetMs),
      s: [
        { label: 'Forward (m/s²)', values: r(ev.imu.lonMps2), color: '#6a1b9a' },
        { label: 'Sideways (m/s²)', values: r(ev.imu.latMps2), color: '#ef6c00' },
      ] as Series[],
    };
  }, [ev]);

  return (
    <div data-testid="evidence">
      <p>
        <strong>{humanize(e.kind)}</strong> ({humanize(e.severity)}) at {dateTime(e.startMs)}
        {e.peak !== null ? `, peak ${num(e.peak, 1)}` : ''}.{' '}
        {e.voided ? <em>Not counted: {humanize(e.voidReason ?? 'voided')}.</em> : null}
      </p>
      {!ev || (!speed && !accel) ? (
        <p className="muted">No sensor evidence was kept for this event.</p>
      ) : (
        <>
          {speed ? (
            <Chart
              title="Speed around the event (seconds from its start)"
              x={speed.x}
              series={speed.s}
              xLabel="s"
              yLabel="km/h"
              markers={markers}
              xRange={xRange}
              height={200}
            />
          ) : null}
          {accel ? (
            <Chart
              title="Acceleration around the event (seconds from its start)"
              x={accel.x}
              series={accel.s}
              xLabel="s"
              yLabel="m/s²"
              markers={markers}
              xRange={xRange}
              height={200}
            />
          ) : (
            <p className="muted">No motion-sensor data for this event (GPS only).</p>
          )}
        </>
      )}
    </div>
  );
}

export function EvidencePanel({ eventId }: { eventId: string }) {
  const load = useApi<Evidence>(`/v1/events/${encodeURIComponent(eventId)}/evidence`);
  return (
    <Loaded load={load} what="the evidence" endpoint="GET /v1/events/:id/evidence">
      {(e) => <Plots e={e} />}
    </Loaded>
  );
}
