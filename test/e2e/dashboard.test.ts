// The dashboard in Debian's Chromium against the real platform with a simulated fleet: a driver sees their score,
// trips and a trip on the map (the WebGL canvas is read back, not just the DOM), disputes an event; staff find it
// in the queue and accept it; the driver's premium changes. Any console error fails the test.
// Screenshots go to test-artifacts/dashboard/ (and to docs/screenshots/ with UPDATE_SCREENSHOTS=1).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { pgTargets } from '../support/env.ts';
import { type Browser, browserMissing, canvasColours, hex, launch, type PageGlobals } from './browser.ts';
import { type Fleet, startFleet } from './fleet.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = `${ROOT}test-artifacts/dashboard`;
const DOCS = `${ROOT}docs/screenshots`;
// The colours the trip map draws with (web/src/map/TripMap.tsx).
const COLOURS = {
  route: hex('#1565c0'),
  speeding: hex('#d50000'),
  severe: hex('#8e0000'),
  moderate: hex('#e65100'),
  low: hex('#f9a825'),
};

const { targets, missing } = pgTargets();
const noBrowser = browserMissing();
const skip = noBrowser ?? (targets.length === 0 ? missing.join('; ') : null);

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

async function signIn(page: Page, fleet: Fleet, email: string): Promise<void> {
  await page.goto(fleet.url);
  await page.getByLabel('Insurer (tenant)').fill(fleet.tenant);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(fleet.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to OpenUBI' }).waitFor();
}

const text = async (page: Page, testId: string) =>
  ((await page.getByTestId(testId).first().textContent()) ?? '').trim();

/** The map has drawn: polls the canvas until the route (and markers, if wanted) are there. */
async function mapColours(page: Page, wantMarkers: boolean) {
  await page.locator('[data-testid="map"][data-map-idle="true"]').waitFor({ timeout: 30_000 });
  let last: Awaited<ReturnType<typeof canvasColours>> | null = null;
  for (let i = 0; i < 40; i++) {
    last = await canvasColours(page, '[data-testid="map"] canvas', COLOURS);
    const markers = last.colours.severe!.count + last.colours.moderate!.count + last.colours.low!.count;
    if (last.colours.route!.count > 200 && (!wantMarkers || markers > 30)) return last;
    await page.waitForTimeout(250);
  }
  return last!;
}

describe('dashboard in a real browser', { skip: skip ?? false }, () => {
  let fleet: Fleet;
  let target: {
    eventId: string;
    tripId: string;
    kind: string;
    driverId: string;
    startMs: number;
    email: string;
  };

  before(async () => {
    // Test the current source: build the dashboard the server serves.
    const built = spawnSync(process.execPath, [`${ROOT}web/build.mjs`], { encoding: 'utf8' });
    assert.equal(built.status, 0, `web build failed: ${built.stderr}`);
    fleet = await startFleet(targets[0]!, { drivers: 6, days: 2, seed: 'e2e-dashboard' });
    // A counted, located event the model prices and a driver can dispute (braking first), of a driver with a login.
    const { rows } = await fleet.platform.db.query<{
      id: string;
      trip_id: string;
      kind: string;
      driver_id: string;
      start_at: Date;
      email: string;
    }>(
      `SELECT e.id, e.trip_id, e.kind, e.driver_id, t.start_at, u.email FROM events e
         JOIN trips t ON t.id = e.trip_id JOIN users u ON u.driver_id = e.driver_id
        WHERE t.counted AND NOT e.voided AND e.lat IS NOT NULL
          AND e.kind IN ('harsh_braking', 'harsh_cornering', 'speeding')
        ORDER BY array_position(ARRAY['harsh_braking', 'harsh_cornering', 'speeding'], e.kind), t.start_at DESC,
                 e.start_at
        LIMIT 1`,
    );
    const r = rows[0];
    assert.ok(r, 'the simulated fleet produced no harsh braking, cornering or speeding to dispute');
    target = {
      eventId: r.id,
      tripId: r.trip_id,
      kind: r.kind,
      driverId: r.driver_id,
      startMs: r.start_at.getTime(),
      email: r.email,
    };
  });

  after(async () => {
    await fleet?.stop();
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(DOCS, { recursive: true });
      for (const f of readdirSync(ARTIFACTS))
        if (f !== 'last-page.png') copyFileSync(`${ARTIFACTS}/${f}`, `${DOCS}/${f}`);
    }
  });

  test('a driver disputes an event on the map, staff accept it, and the driver’s premium changes', async () => {
    const b: Browser = await launch();
    const { page } = b;
    try {
      // Driver: score, premium and trips render from the API.
      await signIn(page, fleet, target.email);
      await page.getByTestId('premium').waitFor();
      const premiumBefore = await text(page, 'premium');
      assert.match(premiumBefore, /\d/);
      await page.getByTestId('safety-score').waitFor();
      await page.getByTestId('month-distance').waitFor();
      await shot(page, 'driver-overview');

      // Trips, filtered to the target trip's day, then the trip.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trips' }).click();
      const day = new Date(target.startMs);
      const iso = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
      await page.getByLabel('From').fill(iso);
      await page.getByLabel('To (inclusive)').fill(iso);
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.locator(`a[href="/trips/${encodeURIComponent(target.tripId)}"]`).click();

      // The map really drew the route and the event markers (read back from the WebGL canvas).
      const drawn = await mapColours(page, true);
      assert.ok(drawn.colours.route!.count > 200, `route pixels: ${JSON.stringify(drawn.colours)}`);
      const marker = (['severe', 'moderate', 'low'] as const).find((k) => drawn.colours[k]!.at);
      assert.ok(marker, `no event marker drawn: ${JSON.stringify(drawn.colours)}`);
      // Clicking a marker on the canvas opens its evidence.
      const box = (await page.locator('[data-testid="map"] canvas').boundingBox())!;
      const at = drawn.colours[marker]!.at!;
      await page.mouse.click(box.x + at.x, box.y + at.y);
      await page.getByTestId('evidence').waitFor();

      // The target event from the list (the keyboard path), its evidence plotted, then disputed.
      await page.locator(`button[data-event-id="${target.eventId}"]`).click();
      const kindLabel = target.kind.charAt(0).toUpperCase() + target.kind.slice(1).replace(/_/g, ' ');
      await page.getByTestId('evidence').getByText(kindLabel).first().waitFor();
      assert.ok(
        (await page.locator('[data-testid="evidence"] .chart canvas').count()) >= 1,
        'no evidence plot',
      );
      await page.getByTestId('dispute-event').click();
      await page.getByText('Dispute filed').waitFor();
      await page.locator(`button[data-event-id="${target.eventId}"]`).getByText('dispute open').waitFor();
      await shot(page, 'driver-trip');
      await signOut(page);

      // Staff: the dispute is in the queue with its evidence; accept it.
      await signIn(page, fleet, 'analyst@demo.openubi.dev');
      await page.getByTestId('kpi-drivers').waitFor();
      await mapColours(page, false).catch(() => null);
      await shot(page, 'staff-portfolio');

      // Drilling into the driver shows their view; the API audits the staff read.
      const audited = async () =>
        (
          await fleet.platform.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM audit_log a JOIN users u ON u.id = a.actor_id
              WHERE a.action = 'driver.quote.read' AND a.subject_id = $1 AND u.email = 'analyst@demo.openubi.dev'`,
            [target.driverId],
          )
        ).rows[0]!.n;
      const auditedBefore = await audited();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Drivers' }).click();
      await page.locator(`a[href="/staff/drivers/${encodeURIComponent(target.driverId)}"]`).click();
      await page.getByTestId('premium').waitFor();
      assert.equal(await text(page, 'premium'), premiumBefore, 'staff see the driver’s own premium');
      assert.ok((await audited()) > auditedBefore, 'the staff read of the driver was not audited');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Disputes' }).click();
      const item = page.getByTestId('queue-item');
      await item.first().waitFor();
      assert.equal(await item.count(), 1, 'one open dispute');
      await item.click();
      await page.getByTestId('dispute-detail').waitFor();
      await page.getByLabel(/^Accept/).check();
      await page
        .getByLabel('Note to the driver (required)')
        .fill('Evasive braking confirmed from the evidence.');
      await page.getByTestId('resolve').click();
      await page.getByText('Dispute Accepted').waitFor();
      await shot(page, 'staff-dispute');
      await signOut(page);

      // Driver again: the event no longer counts and the premium changed.
      await signIn(page, fleet, target.email);
      await page.getByTestId('premium').waitFor();
      const premiumAfter = await text(page, 'premium');
      assert.notEqual(premiumAfter, premiumBefore, `premium unchanged at ${premiumAfter}`);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Disputes' }).click();
      await page.getByTestId('dispute-row').getByText('Accepted').waitFor();

      assert.deepEqual(b.errors, [], 'console errors');
    } finally {
      await shot(page, 'last-page').catch(() => {});
      await b.close();
    }
  });

  test('a driver tries a what-if, joins the leaderboard, sees it as a consent and downloads their data', async () => {
    const b = await launch();
    const { page } = b;
    try {
      await signIn(page, fleet, target.email);
      // What-if by keyboard: harsh braking to 0% asks the API for the premium of that scenario.
      const slider = page.getByRole('slider', { name: /Harsh braking/ });
      await slider.focus();
      await page.keyboard.press('Home');
      await page.getByTestId('whatif-result').getByText('instead of').waitFor();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Achievements' }).click();
      await page.getByTestId('badge').first().waitFor();
      await page.getByRole('button', { name: 'Join the leaderboard' }).click();
      await page.getByRole('button', { name: 'Leave the leaderboard' }).waitFor();
      await page.getByRole('cell', { name: /\(you\)$/ }).waitFor();
      await shot(page, 'driver-achievements');
      await nav.getByRole('link', { name: 'Privacy' }).click();
      const consent = page.getByRole('checkbox', { name: /Leaderboard/ });
      await consent.waitFor();
      assert.equal(await consent.isChecked(), true, 'joining the leaderboard is the leaderboard consent');
      // The box follows the server: it clears once the API has stored the withdrawal.
      await consent.click();
      await page.waitForFunction(
        () =>
          !(
            (globalThis as unknown as PageGlobals).document.querySelector(
              'input[aria-describedby="consent-leaderboard"]',
            ) as unknown as { checked: boolean }
          ).checked,
      );
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download my data' }).click(),
      ]);
      const path = await download.path();
      const exported = JSON.parse(readFileSync(path, 'utf8')) as { driverId: string };
      assert.equal(exported.driverId, target.driverId);
      await nav.getByRole('link', { name: 'Achievements' }).click();
      await page.getByRole('button', { name: 'Join the leaderboard' }).waitFor();
      assert.deepEqual(b.errors, [], 'console errors');
    } finally {
      await b.close();
    }
  });

  test('pages fit a 390 px phone screen and start with a skip link', async () => {
    const b = await launch({ width: 390, height: 844 });
    const { page } = b;
    try {
      await signIn(page, fleet, target.email);
      await page.getByTestId('premium').waitFor();
      const first = await page.evaluate(
        () =>
          (globalThis as unknown as PageGlobals).document.querySelector(
            'a[href], button, input, select, textarea',
          )?.className ?? null,
      );
      assert.equal(first, 'skip', 'the first focusable element is the skip link');
      const unlabelled = await page.evaluate(() =>
        Array.from(
          (globalThis as unknown as PageGlobals).document.querySelectorAll('input, select, textarea'),
        )
          .filter((e) => e.labels?.length === 0 && !e.getAttribute('aria-label'))
          .map((e) => e.outerHTML),
      );
      assert.deepEqual(unlabelled, []);
      const overflow = async () =>
        page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth);
      assert.ok((await overflow()) <= 390, `overview is ${await overflow()} px wide`);
      await shot(page, 'driver-phone');
      await page.goto(`${fleet.url}/trips/${encodeURIComponent(target.tripId)}`);
      await mapColours(page, true);
      assert.ok((await overflow()) <= 390, `trip page is ${await overflow()} px wide`);
      await shot(page, 'driver-trip-phone');
      assert.deepEqual(b.errors, [], 'console errors');
    } finally {
      await b.close();
    }
  });
});
