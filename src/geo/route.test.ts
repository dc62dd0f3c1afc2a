import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { haversineM } from '../domain/units.ts';
import { largestStronglyConnectedComponent } from './graph.ts';
import type { RoadNetwork } from './network.ts';
import { findRoute } from './route.ts';
import { seededRandom } from './synthetic-trace.ts';
import { andorra } from './test-network.ts';

let net: RoadNetwork;
let component: number[];
before(async () => {
  net = (await andorra()).network;
  component = largestStronglyConnectedComponent(net);
});

describe('routing on the Andorra network', () => {
  test('the largest strongly connected component holds nearly all nodes', () => {
    assert.ok(component.length > 0.95 * net.nodes.length, `${component.length} of ${net.nodes.length}`);
  });

  test('connects random pairs with continuous, dense, monotone routes', () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 30; i++) {
      const a = component[Math.floor(rand() * component.length)]!;
      const b = component[Math.floor(rand() * component.length)]!;
      if (a === b) continue;
      const r = findRoute(net, a, b);
      assert.ok(r, `no route ${a} → ${b}`);
      const first = r.points[0]!;
      const last = r.points[r.points.length - 1]!;
      assert.ok(haversineM(first.lat, first.lon, net.node(a).lat, net.node(a).lon) < 1e-6);
      assert.ok(haversineM(last.lat, last.lon, net.node(b).lat, net.node(b).lon) < 1e-6);
      assert.equal(first.distanceM, 0);
      assert.ok(Math.abs(last.distanceM - r.lengthM) < 1e-6);
      for (let k = 1; k < r.points.length; k++) {
        const p = r.points[k - 1]!;
        const q = r.points[k]!;
        assert.ok(q.distanceM > p.distanceM, 'distanceM strictly increases');
        const step = haversineM(p.lat, p.lon, q.lat, q.lon);
        assert.ok(step <= 10.01, `points ${step.toFixed(2)} m apart`);
        assert.ok(Math.abs(q.distanceM - p.distanceM - step) < 0.01);
      }
      // Consecutive edges share a node.
      for (let k = 1; k < r.edgeIds.length; k++) {
        const e = net.edge(r.edgeIds[k - 1]!);
        const f = net.edge(r.edgeIds[k]!);
        const shared = [e.fromNode, e.toNode].some((n) => n === f.fromNode || n === f.toNode);
        assert.ok(shared, `edges ${e.id} and ${f.id} do not touch`);
      }
      assert.ok(r.travelTimeS > 0 && r.lengthM / r.travelTimeS < 130 / 3.6);
    }
  });

  test('never drives a oneway edge against its direction', () => {
    const rand = seededRandom(11);
    let onewayUsed = 0;
    for (let i = 0; i < 60; i++) {
      const a = component[Math.floor(rand() * component.length)]!;
      const b = component[Math.floor(rand() * component.length)]!;
      const r = findRoute(net, a, b);
      if (!r) continue;
      let at = a;
      for (const id of r.edgeIds) {
        const e = net.edge(id);
        if (e.oneway) {
          onewayUsed++;
          assert.equal(e.fromNode, at, `oneway edge ${id} entered at its end`);
        }
        at = e.fromNode === at ? e.toNode : e.fromNode;
      }
      assert.equal(at, b);
    }
    assert.ok(onewayUsed > 20);
  });

  test('goes around when the direct way is a oneway in the wrong direction', () => {
    const e = net.edges.find((x) => x.oneway && x.fromNode !== x.toNode && component.includes(x.fromNode))!;
    const back = findRoute(net, e.toNode, e.fromNode);
    assert.ok(back);
    assert.ok(!back.edgeIds.includes(e.id), 'used the oneway edge backwards');
  });

  test('marks junctions and carries limits and classes on points', () => {
    const r = findRoute(net, component[0]!, component[component.length - 1]!)!;
    assert.ok(r.points.some((p) => p.junction));
    for (const p of r.points) {
      const e = net.edge(p.edgeId);
      assert.equal(p.speedLimitKmh, e.speedLimitKmh);
      assert.equal(p.roadClass, e.roadClass);
    }
  });

  test('returns null for the same node or an unreachable one', () => {
    assert.equal(findRoute(net, component[0]!, component[0]!), null);
    const outside = net.nodes.find((n) => !component.includes(n.id) && net.degree(n.id) > 0);
    if (outside) {
      const r1 = findRoute(net, component[0]!, outside.id);
      const r2 = findRoute(net, outside.id, component[0]!);
      assert.ok(r1 === null || r2 === null);
    }
  });
});
