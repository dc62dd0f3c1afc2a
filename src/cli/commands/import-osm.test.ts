import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { RoadNetwork } from '../../geo/index.ts';
import { runWith } from './import-osm.ts';

const PBF = fileURLToPath(new URL('../../../../shared/data/osm/andorra.osm.pbf', import.meta.url));

/** Runs the command with its output captured. */
async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runWith(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('openubi import-osm', () => {
  test('prints the summary and writes a network that loads back', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'openubi-osm-')), 'andorra.json');
    const r = await capture([PBF, '--country', 'ad', '--out', file, '--json', '--no-store']);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    assert.equal(summary.network.edges, 2026);
    assert.equal(summary.countryCode, 'AD');
    const net = RoadNetwork.fromJSON(readFileSync(file, 'utf8'));
    assert.equal(net.edges.length, 2026);
  });

  test('rejects bad options, missing and unreadable files with exit code 2', async () => {
    assert.equal((await capture([PBF, '--bogus'])).code, 2);
    assert.equal((await capture([])).code, 2);
    const missing = await capture(['/nonexistent.osm.pbf']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no such file/);
    const country = await capture([PBF, '--country', 'Andorra', '--no-store']);
    assert.equal(country.code, 2);
    assert.match(country.err, /--country/);
    const notPbf = await capture([fileURLToPath(new URL('./import-osm.ts', import.meta.url))]);
    assert.equal(notPbf.code, 2);
    assert.match(notPbf.err, /not a readable OSM PBF/);
  });
});
