// The app shell: header, navigation for the signed-in role, and the page for the current path.
import { lazy, Suspense } from 'react';
import { isStaff, type Me, useAuth } from './auth.tsx';
import { Login } from './pages/Login.tsx';
import { Achievements } from './pages/driver/Achievements.tsx';
import { MyDisputes } from './pages/driver/Disputes.tsx';
import { Overview } from './pages/driver/Overview.tsx';
import { Privacy } from './pages/driver/Privacy.tsx';
import { Trips } from './pages/driver/Trips.tsx';
import { DriverDrill } from './pages/staff/DriverDrill.tsx';
import { Drivers } from './pages/staff/Drivers.tsx';
import { DisputeQueue } from './pages/staff/DisputeQueue.tsx';
import { Fairness } from './pages/staff/Fairness.tsx';
import { Models } from './pages/staff/Models.tsx';
import { Plans } from './pages/staff/Plans.tsx';
import { Portfolio } from './pages/staff/Portfolio.tsx';
import { Link, type RouteDef, Routes, useLocation } from './router.tsx';
import { Loading, Page } from './ui/index.tsx';

// The trip page carries the map (MapLibre is large): loaded when first opened.
const TripDetail = lazy(() => import('./pages/driver/TripDetail.tsx'));

const DRIVER_NAV = [
  ['/', 'Overview'],
  ['/trips', 'Trips'],
  ['/achievements', 'Achievements'],
  ['/disputes', 'Disputes'],
  ['/privacy', 'Privacy'],
] as const;
const STAFF_NAV = [
  ['/staff', 'Portfolio'],
  ['/staff/drivers', 'Drivers'],
  ['/staff/disputes', 'Disputes'],
  ['/staff/models', 'Models'],
  ['/staff/plans', 'Rating plans'],
  ['/staff/fairness', 'Fairness'],
] as const;

function routesFor(me: Me): RouteDef[] {
  const trip = (driverId: string, base: string) => (p: Record<string, string>) => (
    <Suspense fallback={<Loading what="the trip" />}>
      <TripDetail tripId={p.tripId!} driverId={driverId} base={base} />
    </Suspense>
  );
  if (!isStaff(me)) {
    const d = me.driverId ?? '';
    return [
      { pattern: '/', render: () => <Overview driverId={d} base="" /> },
      { pattern: '/trips', render: () => <Trips driverId={d} base="" /> },
      { pattern: '/trips/:tripId', render: trip(d, '') },
      { pattern: '/achievements', render: () => <Achievements driverId={d} self /> },
      { pattern: '/disputes', render: () => <MyDisputes driverId={d} /> },
      { pattern: '/privacy', render: () => <Privacy driverId={d} /> },
    ];
  }
  const base = (id: string) => `/staff/drivers/${encodeURIComponent(id)}`;
  return [
    { pattern: '/', render: () => <Portfolio /> },
    { pattern: '/staff', render: () => <Portfolio /> },
    { pattern: '/staff/drivers', render: () => <Drivers /> },
    { pattern: '/staff/drivers/:id', render: (p) => <DriverDrill driverId={p.id!} tab="overview" /> },
    { pattern: '/staff/drivers/:id/trips', render: (p) => <DriverDrill driverId={p.id!} tab="trips" /> },
    {
      pattern: '/staff/drivers/:id/achievements',
      render: (p) => <DriverDrill driverId={p.id!} tab="achievements" />,
    },
    { pattern: '/staff/drivers/:id/trips/:tripId', render: (p) => trip(p.id!, base(p.id!))(p) },
    { pattern: '/staff/disputes', render: () => <DisputeQueue /> },
    { pattern: '/staff/models', render: () => <Models canPromote={me.role === 'admin'} /> },
    { pattern: '/staff/plans', render: () => <Plans /> },
    { pattern: '/staff/fairness', render: () => <Fairness /> },
  ];
}

function Nav({ me }: { me: Me }) {
  const { path } = useLocation();
  const items = isStaff(me) ? STAFF_NAV : DRIVER_NAV;
  const home = isStaff(me) ? '/staff' : '/';
  const current = (to: string) =>
    to === home ? path === to || path === '/' : path === to || path.startsWith(`${to}/`);
  return (
    <nav aria-label="Main">
      <ul>
        {items.map(([to, label]) => (
          <li key={to}>
            <Link to={to} aria-current={current(to) ? 'page' : undefined}>
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function App() {
  const { session, logout } = useAuth();
  if (session.status === 'checking')
    return (
      <main id="main">
        <Loading what="your session" />
      </main>
    );
  if (session.status === 'signed-out') return <Login />;
  const me = session.me;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">OpenUBI</div>
        <Nav me={me} />
        <div className="who">
          <span className="muted" title={me.tenantId}>
            {me.email} · {me.role}
          </span>
          <button type="button" onClick={() => void logout()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <Routes
          routes={routesFor(me)}
          fallback={
            <Page title="Page not found">
              <p>
                There is nothing at this address. <Link to="/">Go to the start page</Link>.
              </p>
            </Page>
          }
        />
      </main>
    </>
  );
}
