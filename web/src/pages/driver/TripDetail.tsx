// One trip: its figures, the map (route, speeding spans, event markers), the events list (the keyboard path to
// the same markers), the selected event's evidence, and disputes of the trip or an event.
import { useMemo, useState } from 'react';
import { useApi } from '../../api/hooks.ts';
import type { Dispute } from '../../api/pricing-types.ts';
import type { EventProps, TripDetail as TripDetailData, TripMapData } from '../../api/types.ts';
import { useAuth } from '../../auth.tsx';
import { TripMap } from '../../map/TripMap.tsx';
import { Link } from '../../router.tsx';
import { dateTime, duration, humanize, km, num, pct, speedKmh } from '../../ui/format.ts';
import { Card, Loaded, Notice, Page, Stat } from '../../ui/index.tsx';
import { DisputeForm, DisputeStatus } from './DisputeForm.tsx';
import { EvidencePanel } from './Evidence.tsx';

function peakText(p: EventProps): string {
  if (p.peak === null) return '';
  if (p.peakUnit === 'kmh_over') return `${num(p.peak, 0)} km/h over`;
  if (p.peakUnit === 'mps2') return `${num(Math.abs(p.peak), 1)} m/s²`;
  if (p.peakUnit === 'ms') return duration(p.peak);
  return '';
}

function EventsList({
  events,
  selected,
  onSelect,
  disputes,
}: {
  events: EventProps[];
  selected: string | null;
  onSelect: (id: string) => void;
  disputes: Dispute[];
}) {
  if (events.length === 0) return <p className="muted">No driving events on this trip.</p>;
  return (
    <ol className="events" aria-label="Events on this trip">
      {events.map((e) => {
        const d = disputes.find((x) => x.eventId === e.eventId);
        return (
          <li key={e.eventId} className={e.voided ? 'voided' : ''}>
            <button
              type="button"
              aria-pressed={selected === e.eventId}
              onClick={() => onSelect(e.eventId)}
              data-testid="event-button"
              data-event-id={e.eventId}
            >
              <span className={`sev ${e.voided ? 'voided' : e.severity}`} aria-hidden="true" />
              <span>
                <strong>{humanize(e.kind)}</strong> · {humanize(e.severity)} ·{' '}
                {new Date(e.startMs).toLocaleTimeString()}
                {peakText(e) ? ` · ${peakText(e)}` : ''}
                {e.voided ? ` · not counted (${humanize(e.voidReason ?? 'voided')})` : ''}
                {d ? ` · dispute ${d.status}` : ''}
              </span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}

export default function TripDetail({
  tripId,
  driverId,
  base,
}: {
  tripId: string;
  driverId: string;
  base: string;
}) {
  const { session } = useAuth();
  const isDriver = session.status === 'signed-in' && session.me.role === 'driver';
  const id = encodeURIComponent(tripId);
  const trip = useApi<TripDetailData>(`/v1/trips/${id}`);
  const map = useApi<TripMapData>(`/v1/trips/${id}/map`);
  const disputes = useApi<{ items: Dispute[] }>(isDriver ? '/v1/disputes?limit=200' : null);
  const [selected, setSelected] = useState<string | null>(null);
  const mine = useMemo(
    () => (disputes.state === 'ok' ? disputes.data.items.filter((d) => d.tripId === tripId) : []),
    [disputes, tripId],
  );
  const refresh = () => {
    map.reload();
    disputes.reload();
  };

  return (
    <Page title="Trip" actions={<Link to={`${base}/trips`}>← All trips</Link>}>
      <Loaded load={trip} what="the trip" endpoint="GET /v1/trips/:id">
        {(t) => (
          <div className="grid">
            <Stat label="Started" value={dateTime(t.startMs)} />
            <Stat label="Duration" value={duration(t.durationMs)} />
            <Stat label="Distance" value={km(t.distanceM)} />
            <Stat label="Top speed" value={speedKmh(t.features.maxSpeedMps ?? null)} />
            <Stat
              label="Speeding"
              value={pct(t.features.speedingShare ?? null)}
              note="share of moving time with known limits"
            />
            <Stat label="Events" value={<span data-testid="event-count">{t.events.length}</span>} />
          </div>
        )}
      </Loaded>
      <Card title="Route and events">
        <Loaded load={map} what="the map" endpoint="GET /v1/trips/:id/map">
          {(m) => (
            <>
              {!m.counted ? (
                <Notice kind="info">
                  This trip does not count towards your score ({humanize(m.exclusionReason ?? 'excluded')}).
                </Notice>
              ) : null}
              {m.bounds ? (
                <TripMap data={m} selected={selected} onSelect={setSelected} />
              ) : (
                <p className="muted">This trip has no GPS trace to draw.</p>
              )}
              <p className="legend" aria-hidden="true">
                <span className="key route" /> route <span className="key speeding" /> speeding{' '}
                <span className="key severe" /> severe <span className="key moderate" /> moderate{' '}
                <span className="key low" /> low <span className="key voided" /> not counted
              </p>
              <EventsList
                events={m.events.features.map((f) => f.properties)}
                selected={selected}
                onSelect={setSelected}
                disputes={mine}
              />
            </>
          )}
        </Loaded>
      </Card>
      {selected && map.state === 'ok' ? (
        <Card title="Event evidence" id="evidence-h">
          <EvidencePanel eventId={selected} />
          {isDriver ? (
            <DisputeForm
              key={selected}
              tripId={tripId}
              event={
                map.data.events.features.find((f) => f.properties.eventId === selected)?.properties ?? null
              }
              existing={mine.find((d) => d.eventId === selected) ?? null}
              onFiled={refresh}
            />
          ) : null}
        </Card>
      ) : null}
      {isDriver ? (
        <Card title="Dispute this trip">
          <DisputeStatus disputes={mine.filter((d) => d.eventId === null)} />
          <DisputeForm
            tripId={tripId}
            event={null}
            existing={mine.find((d) => d.eventId === null) ?? null}
            onFiled={refresh}
          />
        </Card>
      ) : null}
      {isDriver ? null : <p className="muted">Driver {driverId}</p>}
    </Page>
  );
}
