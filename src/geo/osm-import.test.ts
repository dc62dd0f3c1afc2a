import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { haversineM } from '../domain/units.ts';
import { RoadNetwork } from './network.ts';
import { decodeOsmPbf } from './osm-pbf.ts';
import { ANDORRA_PBF, andorra } from './test-network.ts';

describe('OSM PBF import of the Andorra extract', () => {
  test('decodes every node and way the README lists', () => {
    let nodes = 0;
    let ways = 0;
    let maxspeed = 0;
    decodeOsmPbf(readFileSync(ANDORRA_PBF), {
      node: () => nodes++,
      way: (w) => {
        ways++;
        if (w.tags['maxspeed'] !== undefined) maxspeed++;
      },
    });
    assert.equal(nodes, 69_644);
    assert.equal(ways, 2_725);
    assert.equal(maxspeed, 204);
  });

  test('keeps the drivable ways: road classes only, closed and area roads dropped', async () => {
    const { summary } = await andorra();
    // 1,615 highway ways; 1,174 in drivable classes (no track/path/footway/steps/pedestrian/bridleway/road/
    // construction); 15 of those closed by access=no/private. The README's "about 1,500" counts more loosely.
    assert.equal(summary.osm.highwayWays, 1_615);
    assert.equal(summary.osm.drivableWays, 1_159);
    // 204 ways carry maxspeed: 5 are tracks and 1 an access=no primary, so 198 drivable ones.
    assert.equal(summary.osm.drivableWaysWithMaxspeed, 198);
    assert.equal(summary.missingNodeRefs, 0);
    assert.ok(summary.network.taggedLimitShareEdges > 0.1 && summary.network.taggedLimitShareEdges < 0.3);
    assert.ok(
      summary.network.lengthKm > 300 && summary.network.lengthKm < 500,
      `${summary.network.lengthKm} km`,
    );
    assert.equal((summary.network.kmByClass as Record<string, number>)['track'], undefined);
  });

  test('edges join at graph nodes, geometries start and end at them, lengths add up', async () => {
    const { network: net } = await andorra();
    for (const e of net.edges) {
      const g = e.geometry;
      const from = net.node(e.fromNode);
      const to = net.node(e.toNode);
      assert.equal(g[0], from.lat);
      assert.equal(g[1], from.lon);
      assert.equal(g[g.length - 2], to.lat);
      assert.equal(g[g.length - 1], to.lon);
      let sum = 0;
      for (let i = 2; i < g.length; i += 2) sum += haversineM(g[i - 2]!, g[i - 1]!, g[i]!, g[i + 1]!);
      assert.ok(Math.abs(sum - e.lengthM) < 1e-6);
    }
    // Interior nodes of an edge are never junctions: every graph node is an end of some edge.
    for (const n of net.nodes) assert.ok(net.degree(n.id) >= 1);
  });

  test('stores oneway=-1 ways reversed so every oneway edge runs from→to, with no arc back', async () => {
    const { network: net } = await andorra();
    const reversed = new Map<number, number[]>();
    decodeOsmPbf(readFileSync(ANDORRA_PBF), {
      way: (w) => {
        if (w.tags['oneway'] === '-1') reversed.set(w.id, w.refs);
      },
    });
    assert.ok(reversed.size > 10);
    let checked = 0;
    for (const e of net.edges) {
      const refs = reversed.get(e.wayId);
      if (!refs) continue;
      assert.equal(e.oneway, true);
      // The way's first node is where travel ends, so it is some edge's toNode, never a fromNode.
      const first = refs[0]!;
      if (net.osmNodeIds![e.fromNode] === first) assert.fail(`edge ${e.id} starts at the way's first node`);
      if (net.osmNodeIds![e.toNode] === first) checked++;
    }
    assert.ok(checked > 10);
    for (const e of net.edges.filter((x) => x.oneway && x.fromNode !== x.toNode)) {
      for (let k = net.outStart[e.toNode]!; k < net.outStart[e.toNode + 1]!; k++)
        assert.notEqual(net.outEdge[k], e.id);
    }
  });

  test('finds the nearest node and edges around Andorra la Vella', async () => {
    const { network: net } = await andorra();
    const n = net.nearestNode(42.5063, 1.5218);
    assert.ok(n);
    // Brute force agrees.
    let best = Number.POSITIVE_INFINITY;
    for (const m of net.nodes) best = Math.min(best, haversineM(42.5063, 1.5218, m.lat, m.lon));
    assert.ok(Math.abs(haversineM(42.5063, 1.5218, n.lat, n.lon) - best) < 1e-6);
    const hits = net.nearestEdges(42.5063, 1.5218, 50, 5);
    assert.ok(hits.length > 0 && hits.length <= 5);
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i]!.distanceM >= hits[i - 1]!.distanceM);
    for (const h of hits) {
      assert.ok(h.distanceM <= 50);
      assert.ok(h.offsetM >= 0 && h.offsetM <= h.edge.lengthM + 1e-6);
      const p = net.pointAt(h.edge.id, h.offsetM);
      assert.ok(Math.abs(haversineM(42.5063, 1.5218, p.lat, p.lon) - h.distanceM) < 0.05);
    }
    assert.deepEqual(net.nearestEdges(10, 10, 50, 5), []);
  });

  test('round-trips through the compact JSON exactly', async () => {
    const { network: net } = await andorra();
    const json = JSON.stringify(net.toJSON());
    const back = RoadNetwork.fromJSON(JSON.parse(json));
    assert.equal(back.nodes.length, net.nodes.length);
    assert.equal(back.edges.length, net.edges.length);
    assert.deepEqual(back.nodes, net.nodes);
    for (const e of net.edges) assert.deepEqual(back.edge(e.id), e);
    assert.deepEqual(back.bbox, net.bbox);
    assert.equal(back.countryCode, 'AD');
    assert.throws(() => RoadNetwork.fromJSON({ format: 'something-else' }), /not an openubi-road-network/);
  });
});
