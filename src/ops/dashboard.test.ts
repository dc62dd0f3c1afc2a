// The Grafana dashboard in docs queries only metrics the platform exposes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { platformMetrics } from './metrics.ts';

test('every metric the Grafana dashboard queries is exposed by the platform', async () => {
  const dash = JSON.parse(
    readFileSync(new URL('../../docs/grafana/openubi.json', import.meta.url), 'utf8'),
  ) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  const exposed = new Set(
    [...(await platformMetrics().registry.render()).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]),
  );
  const used = new Set<string>();
  for (const p of dash.panels)
    for (const t of p.targets)
      for (const m of t.expr.matchAll(/\bopenubi_[a-z0-9_]+/g))
        used.add(m[0].replace(/_(bucket|sum|count)$/, ''));
  assert.ok(used.size >= 10, `the dashboard uses ${used.size} metrics`);
  for (const name of used) assert.ok(exposed.has(name), `${name} is not exposed by platformMetrics()`);
  for (const needed of [
    'openubi_ingest_samples_total',
    'openubi_bus_partition_lag',
    'openubi_trip_completion_seconds',
    'openubi_errors_total',
  ])
    assert.ok(used.has(needed), `the dashboard shows ${needed}`);
});
