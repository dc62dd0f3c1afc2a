// What-if sliders: scale each behaviour and the monthly distance, and see the premium the API computes for it
// (POST /v1/drivers/:id/what-if; nothing is stored). The coaching scenarios come from the same endpoint.
import { useEffect, useMemo, useState } from 'react';
import { type ApiError, api } from '../../api/client.ts';
import type { BehaviourKey, WhatIfChange, WhatIfData } from '../../api/pricing-types.ts';
import { money } from '../../ui/format.ts';
import { ErrorBox, Loading, NotAvailable } from '../../ui/index.tsx';

const BEHAVIOURS: Array<[BehaviourKey, string]> = [
  ['harshBrakingPer100Km', 'Harsh braking'],
  ['harshAccelerationPer100Km', 'Harsh acceleration'],
  ['harshCorneringPer100Km', 'Harsh cornering'],
  ['speedingShare', 'Speeding'],
  ['phoneUseSecPerHour', 'Phone use'],
  ['nightShare', 'Night driving'],
];

type Scales = Record<BehaviourKey, number>;
const NEUTRAL = Object.fromEntries(BEHAVIOURS.map(([k]) => [k, 100])) as Scales;

function changesOf(scales: Scales, kmDelta: number): WhatIfChange[] {
  const out: WhatIfChange[] = BEHAVIOURS.filter(([k]) => scales[k] !== 100).map(([k]) => ({
    kind: 'scale',
    behaviour: k,
    factor: scales[k] / 100,
  }));
  if (kmDelta !== 0) out.push({ kind: 'distance', monthlyKmDelta: kmDelta });
  return out;
}

/** POSTs `body` when `key` changes (null: nothing to ask); answers only for the current key, never a stale one. */
function usePost(path: string, body: unknown, key: string | null): WhatIfData | ApiError | null {
  const [state, setState] = useState<{ key: string; value: WhatIfData | ApiError } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the body
  useEffect(() => {
    if (key === null) return;
    const ctl = new AbortController();
    // Debounced: a slider being dragged asks once it rests.
    const t = setTimeout(() => {
      api<WhatIfData>(path, { method: 'POST', body, signal: ctl.signal }).then(
        (value) => setState({ key, value }),
        (e: Error) => {
          if (e.name !== 'AbortError') setState({ key, value: e as ApiError });
        },
      );
    }, 250);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [path, key]);
  return state && state.key === key ? state.value : null;
}

export function WhatIf({ driverId }: { driverId: string }) {
  const path = `/v1/drivers/${encodeURIComponent(driverId)}/what-if`;
  const [scales, setScales] = useState<Scales>(NEUTRAL);
  const [kmDelta, setKmDelta] = useState(0);
  const changes = useMemo(() => changesOf(scales, kmDelta), [scales, kmDelta]);
  const custom = usePost(
    path,
    { label: 'Your scenario', changes },
    changes.length ? JSON.stringify(changes) : null,
  );
  const coaching = usePost(path, {}, 'standard');

  if (coaching && 'status' in coaching && coaching.missing)
    return <NotAvailable what="What-if pricing" endpoint="POST /v1/drivers/:id/what-if" />;

  return (
    <div className="whatif">
      <fieldset>
        <legend>Change your driving (100% = as now)</legend>
        {BEHAVIOURS.map(([k, label]) => (
          <label key={k} className="slider">
            <span>
              {label}: <strong>{scales[k]}%</strong>
            </span>
            <input
              type="range"
              min={0}
              max={200}
              step={10}
              value={scales[k]}
              aria-valuetext={`${scales[k]}% of now`}
              onChange={(e) => setScales((s) => ({ ...s, [k]: Number(e.target.value) }))}
            />
          </label>
        ))}
        <label className="slider">
          <span>
            Monthly distance: <strong>{kmDelta > 0 ? `+${kmDelta}` : kmDelta} km</strong>
          </span>
          <input
            type="range"
            min={-1000}
            max={1000}
            step={50}
            value={kmDelta}
            aria-valuetext={`${kmDelta} km a month`}
            onChange={(e) => setKmDelta(Number(e.target.value))}
          />
        </label>
        <button
          type="button"
          onClick={() => {
            setScales(NEUTRAL);
            setKmDelta(0);
          }}
          disabled={!changes.length}
        >
          Reset
        </button>
      </fieldset>
      <div className="whatif-result" aria-live="polite">
        {changes.length === 0 ? (
          coaching && !('status' in coaching) ? (
            <p>
              Now: <strong>{money(coaching.currentPremiumCents, coaching.currency)}</strong> a month. Move a
              slider to see what changes.
            </p>
          ) : null
        ) : custom === null ? (
          <Loading what="the premium" />
        ) : 'status' in custom ? (
          <ErrorBox error={custom} />
        ) : (
          custom.items.map((i) => (
            <p key={i.label} data-testid="whatif-result">
              <strong>{money(i.premiumCents, custom.currency)}</strong> a month instead of{' '}
              {money(i.currentPremiumCents, custom.currency)} ({i.deltaCents <= 0 ? 'saves ' : 'adds '}
              {money(Math.abs(i.deltaCents), custom.currency)}). {i.text}
            </p>
          ))
        )}
        <h3>Coaching ideas</h3>
        {coaching === null ? (
          <Loading what="ideas" />
        ) : 'status' in coaching ? (
          <ErrorBox error={coaching} />
        ) : (
          <ul>
            {coaching.items.map((i) => (
              <li key={i.label}>
                {i.label}: {money(i.premiumCents, coaching.currency)} ({i.deltaCents <= 0 ? '' : '+'}
                {money(i.deltaCents, coaching.currency)})
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
