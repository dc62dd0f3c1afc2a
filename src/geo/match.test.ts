import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { haversineM } from '../domain/units.ts';
import { largestStronglyConnectedComponent } from './graph.ts';
import type { GpsFix } from './match.ts';
import { createMatcher, createStreamingMatcher } from './matchers.ts';
import type { RoadNetwork } from './network.ts';
import { findRoute } from './route.ts';
import { type TruthFix, sampleRoute, seededRandom } from './synthetic-trace.ts';
import { andorra } from './test-network.ts';
import type { MatchedFix } from './types.ts';

let net: RoadNetwork;
let component: number[];
before(async () => {
  net = (await andorra()).network;
  component = largestStronglyConnectedComponent(net);
});

function trace(seed: number, noiseM = 0): TruthFix[] {
  const rand = seededRandom(seed);
  for (;;) {
    const a = component[Math.floor(rand() * component.length)]!;
    const b = component[Math.floor(rand() * component.length)]!;
    const r = findRoute(net, a, b);
    if (r && r.lengthM > 2000) return sampleRoute(r, { noiseM, rand });
  }
}

function stream(fixes: readonly GpsFix[], maxLagFixes = 10): MatchedFix[] {
  const m = createStreamingMatcher(net, { maxLagFixes });
  const out: MatchedFix[] = [];
  for (const f of fixes) out.push(...m.push(f));
  out.push(...m.flush());
  return out;
}

describe('HMM map matching', () => {
  test('matches noiseless fixes to their true edge and position', () => {
    for (const seed of [1, 2, 3]) {
      const fixes = trace(seed);
      const res = createMatcher(net).matchTrace(fixes);
      assert.equal(res.length, fixes.length);
      let exact = 0;
      res.forEach((m, i) => {
        const f = fixes[i]!;
        assert.equal(m.index, i);
        assert.notEqual(m.edgeId, null);
        const p = net.pointAt(m.edgeId!, m.offsetM!);
        // The matched point is the true point, whichever edge it is labelled with (to within the error of
        // speed × time between fixes, which the junction refinement averages in).
        assert.ok(haversineM(p.lat, p.lon, f.trueLat, f.trueLon) < 0.5, `fix ${i} off by metres`);
        if (m.edgeId === f.trueEdgeId) exact++;
        else {
          // Only a fix sitting on a junction node may carry the neighbouring edge.
          const e = net.edge(f.trueEdgeId);
          const atNode = [e.fromNode, e.toNode].some(
            (n) => haversineM(net.node(n).lat, net.node(n).lon, f.trueLat, f.trueLon) < 0.5,
          );
          assert.ok(atNode, `fix ${i} on edge ${m.edgeId}, truly on ${f.trueEdgeId}`);
        }
        assert.equal(m.speedLimitKmh, net.edge(m.edgeId!).speedLimitKmh);
      });
      assert.ok(exact / fixes.length > 0.99, `${exact} of ${fixes.length}`);
    }
  });

  test('streaming makes the batch decisions on a clean trace', () => {
    for (const seed of [4, 5]) {
      const fixes = trace(seed);
      assert.deepEqual(stream(fixes), createMatcher(net).matchTrace(fixes));
    }
  });

  test('streaming holds back at most maxLagFixes fixes', () => {
    const fixes = trace(6, 15);
    const m = createStreamingMatcher(net, { maxLagFixes: 5 });
    let emitted = 0;
    fixes.forEach((f, i) => {
      emitted += m.push(f).length;
      assert.ok(i + 1 - emitted <= 5, `holding ${i + 1 - emitted} fixes`);
    });
    assert.equal(emitted + m.flush().length, fixes.length);
  });

  test('resumes from a JSON checkpoint with the same decisions', () => {
    const fixes = trace(8, 5);
    const whole = stream(fixes);
    const first = createStreamingMatcher(net);
    const out: MatchedFix[] = [];
    const cut = Math.floor(fixes.length / 2);
    for (const f of fixes.slice(0, cut)) out.push(...first.push(f));
    const saved = JSON.parse(JSON.stringify(first.state()));
    const second = createStreamingMatcher(net, { resumeFrom: saved });
    for (const f of fixes.slice(cut)) out.push(...second.push(f));
    out.push(...second.flush());
    assert.deepEqual(out, whole);
  });

  test('breaks the match at a time gap longer than 60 s', () => {
    const fixes = trace(9).slice(0, 40);
    const later = fixes.slice(20).map((f) => ({ ...f, t: f.t + 90_000 }));
    const gapped = [...fixes.slice(0, 20), ...later];
    const m = createStreamingMatcher(net, { maxLagFixes: 1000 });
    let before = 0;
    for (const f of gapped.slice(0, 20)) before += m.push(f).length;
    // The first fix after the gap closes the old path: every held fix comes out at once.
    const released = m.push(gapped[20]!);
    assert.equal(before + released.length, 20);
    assert.deepEqual(
      released.map((r) => r.index),
      Array.from({ length: 20 - before }, (_, k) => before + k),
    );
    // Without a gap the same fixes stay held until the paths agree.
    const n = createStreamingMatcher(net, { maxLagFixes: 1000 });
    const out = [...fixes.slice(0, 21)].flatMap((f) => n.push(f));
    assert.ok(out.every((r) => r.index < 20));
  });

  test('leaves fixes far from any road unmatched and carries on after them', () => {
    const fixes: GpsFix[] = trace(10).slice(0, 30);
    fixes[15] = { ...fixes[15]!, lat: fixes[15]!.lat + 0.05 };
    fixes[16] = { ...fixes[16]!, lat: Number.NaN };
    const res = createMatcher(net).matchTrace(fixes);
    assert.equal(res.length, 30);
    assert.equal(res[16]!.edgeId, null);
    assert.ok(res.slice(17).every((r) => r.edgeId !== null));
    assert.ok(res.slice(0, 15).every((r) => r.edgeId !== null));
  });

  test('matches noisy fixes mostly to the right road', () => {
    const fixes = trace(12, 5);
    const res = createMatcher(net).matchTrace(fixes);
    const sameWay = res.filter(
      (r, i) => r.edgeId !== null && net.edge(r.edgeId).wayId === net.edge(fixes[i]!.trueEdgeId).wayId,
    );
    assert.ok(sameWay.length / res.length > 0.9, `${sameWay.length} of ${res.length}`);
  });
});
