import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { IngestBatchV1 } from '../domain/wire.ts';
import { loadOsmPbf } from '../geo/index.ts';
import { simulateFleet, toIngestBatchV1 } from './fleet.ts';
import { batchToNdjsonLine, truthToNdjsonLine } from './ndjson.ts';
import { networkPlanner } from './planner.ts';
import { syntheticPlanner } from './testing.ts';
import type { TripTruth } from './trip.ts';

function ndjsonDigest(
  seed: number,
  protocol: 'v1' | 'osmand' | 'teltonika' = 'v1',
): { digest: string; lines: number } {
  const fleet = simulateFleet({
    planner: syntheticPlanner(),
    drivers: 2,
    days: 1,
    startDate: '2024-03-04',
    seed,
    protocol,
  });
  const h = createHash('sha256');
  let lines = 0;
  for (const ev of fleet.events) {
    h.update(ev.type === 'batch' ? batchToNdjsonLine(ev.batch) : truthToNdjsonLine(ev.truth));
    lines++;
  }
  return { digest: h.digest('hex'), lines };
}

describe('fleet simulation', () => {
  test('the same seed gives identical NDJSON bytes; another seed does not', () => {
    const a = ndjsonDigest(11);
    const b = ndjsonDigest(11);
    const c = ndjsonDigest(12);
    assert.ok(a.lines > 10, `only ${a.lines} lines`);
    assert.equal(a.digest, b.digest);
    assert.notEqual(a.digest, c.digest);
  });

  test('batches are valid v1, ordered per device, and each trip’s truth follows its batches', () => {
    const fleet = simulateFleet({
      planner: syntheticPlanner(),
      drivers: 3,
      days: 1,
      startDate: '2024-03-05',
      seed: 3,
    });
    const lastT = new Map<string, number>();
    const fixesSeen = new Map<string, number>();
    let truths = 0;
    let prevStart = Number.NEGATIVE_INFINITY;
    for (const ev of fleet.events) {
      assert.ok(ev.startMs >= prevStart, 'events come in time order');
      prevStart = ev.startMs;
      if (ev.type === 'batch') {
        const wire = toIngestBatchV1(ev.batch);
        assert.ok(Value.Check(IngestBatchV1, wire), 'v1 schema');
        const t0 = wire.imu?.t[0] ?? wire.gps?.t[0] ?? 0;
        assert.ok(t0 > (lastT.get(wire.deviceId) ?? 0), 'samples move forward in time per device');
        lastT.set(wire.deviceId, wire.imu?.t[wire.imu.t.length - 1] ?? t0);
        fixesSeen.set(wire.deviceId, (fixesSeen.get(wire.deviceId) ?? 0) + (wire.gps?.t.length ?? 0));
      } else {
        truths++;
        const t: TripTruth = ev.truth;
        assert.ok(t.endMs > t.startMs && t.distanceM > 300, 'a real trip');
        assert.ok(t.fixes!.t.length === t.fixes!.edgeId.length && t.fixes!.t.length > 0, 'fix truth aligned');
        assert.ok(t.edgeIds.length > 0);
        for (const e of t.fixes!.edgeId)
          assert.ok(t.edgeIds.includes(e), 'each fix lies on an edge of the trip');
      }
    }
    assert.ok(truths >= 3, `only ${truths} trips`);
    // Every GPS fix sent has a truth record.
    assert.ok(
      [...fixesSeen.values()].every((n) => n > 0),
      'every device sent fixes',
    );
  });

  test('tracker fleets send Teltonika-style records: ignition events, odometer and aligned attributes', () => {
    const fleet = simulateFleet({
      planner: syntheticPlanner(),
      drivers: 1,
      days: 1,
      startDate: '2024-03-05',
      seed: 5,
      protocol: 'teltonika',
    });
    const kinds = new Set<string>();
    let prevOdo = 0;
    let batches = 0;
    for (const ev of fleet.events) {
      if (ev.type !== 'batch') continue;
      batches++;
      const b = ev.batch;
      assert.equal(b.source, 'teltonika');
      assert.equal(b.imu, undefined);
      assert.equal(b.gpsAttributes!.length, b.gps!.t.length, 'one attribute set per fix');
      for (const a of b.gpsAttributes!) {
        assert.ok((a.odometerM as number) >= prevOdo, 'odometer never goes back');
        prevOdo = a.odometerM as number;
      }
      for (const e of b.deviceEvents ?? []) kinds.add(e.kind);
      assert.equal(ev.records!.length, b.gps!.t.length);
    }
    assert.ok(batches > 0, 'no batches');
    assert.ok(kinds.has('ignition_on') && kinds.has('ignition_off'), `events ${[...kinds]}`);
  });

  test('drives the real Andorra network: routes follow real edges and fixes sit on them', async () => {
    const net = await loadOsmPbf(
      new URL('../../../shared/data/osm/andorra.osm.pbf', import.meta.url).pathname,
      {
        countryCode: 'AD',
      },
    );
    const fleet = simulateFleet({
      planner: networkPlanner(net),
      drivers: 2,
      days: 1,
      startDate: '2024-03-06',
      seed: 9,
    });
    let trips = 0;
    for (const ev of fleet.events) {
      if (ev.type !== 'trip') continue;
      trips++;
      const t = ev.truth;
      for (let k = 1; k < t.edgeIds.length; k++) {
        const a = net.edge(t.edgeIds[k - 1]!);
        const b = net.edge(t.edgeIds[k]!);
        const shared = [a.fromNode, a.toNode].some((n) => n === b.fromNode || n === b.toNode);
        assert.ok(shared, `edges ${a.id} and ${b.id} are consecutive`);
      }
      const f = t.fixes!;
      for (let k = 0; k < f.t.length; k += 17) {
        const hits = net.nearestEdges(f.lat[k]!, f.lon[k]!, 40, 8).map((h) => h.edge.id);
        assert.ok(hits.includes(f.edgeId[k]!), `true fix ${k} is near its edge ${f.edgeId[k]}`);
      }
    }
    assert.ok(trips > 0, 'no trips were driven');
    assert.equal(fleet.drivers.length, 2);
  });
});
