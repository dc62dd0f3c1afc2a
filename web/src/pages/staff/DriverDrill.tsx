// Staff drilling into one driver: the driver's own views (overview, trips, achievements), read-only.
import { useApi } from '../../api/hooks.ts';
import type { Driver } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Loaded, Page } from '../../ui/index.tsx';
import { AchievementsView } from '../driver/Achievements.tsx';
import { CrashChecks } from '../driver/CrashChecks.tsx';
import { DriverSummary } from '../driver/Overview.tsx';
import { TripsList } from '../driver/Trips.tsx';

type Tab = 'overview' | 'trips' | 'achievements';
const TABS: Array<[Tab, string, string]> = [
  ['overview', 'Overview', ''],
  ['trips', 'Trips', '/trips'],
  ['achievements', 'Achievements', '/achievements'],
];

export function DriverDrill({ driverId, tab }: { driverId: string; tab: Tab }) {
  const base = `/staff/drivers/${encodeURIComponent(driverId)}`;
  const driver = useApi<Driver>(`/v1/drivers/${encodeURIComponent(driverId)}`);
  const name = driver.state === 'ok' ? driver.data.displayName : driverId;
  return (
    <Page title={name} actions={<Link to="/staff/drivers">← All drivers</Link>}>
      <Loaded load={driver} what="the driver" endpoint="GET /v1/drivers/:id">
        {(d) => (
          <p className="muted">
            {d.externalRef ? `Reference ${d.externalRef} · ` : ''}
            {d.birthYear ? `born ${d.birthYear} · ` : ''}id {d.id}. Your reads of this driver are audited.
          </p>
        )}
      </Loaded>
      <nav aria-label="Driver sections" className="tabs">
        <ul>
          {TABS.map(([t, label, suffix]) => (
            <li key={t}>
              <Link to={`${base}${suffix}`} aria-current={t === tab ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'overview' ? (
        <>
          <CrashChecks driverId={driverId} canAnswer={false} base={base} />
          <DriverSummary driverId={driverId} />
        </>
      ) : tab === 'trips' ? (
        <TripsList driverId={driverId} base={base} />
      ) : (
        <AchievementsView driverId={driverId} self={false} />
      )}
    </Page>
  );
}
