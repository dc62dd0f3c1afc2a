// Test and benchmark helper (not part of the pipeline): loads a trip of Ferreira et al. 2017
// (shared/data/ferreira2017) as earth-frame SensorBatches plus its hand labels, and scores detections.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SensorBatch } from '../domain/index.ts';
import type { DrivingEvent, EventKind } from './types.ts';

export type LabelKind = 'braking' | 'acceleration' | 'turn' | 'lane_change' | 'non_aggressive';

export interface FerreiraLabel {
  kind: LabelKind;
  /** The original label, e.g. curva_esquerda_agressiva. */
  raw: string;
  startMs: number;
  endMs: number;
  /** Seconds since the trip's start, as in groundTruth.csv. */
  startS: number;
  endS: number;
}

export interface FerreiraTrip {
  trip: string;
  startMs: number;
  durationMs: number;
  batches: SensorBatch[];
  labels: FerreiraLabel[];
  samples: number;
}

const LABELS: Record<string, LabelKind> = {
  freada_agressiva: 'braking',
  aceleracao_agressiva: 'acceleration',
  curva_esquerda_agressiva: 'turn',
  curva_direita_agressiva: 'turn',
  troca_faixa_esquerda_agressiva: 'lane_change',
  troca_faixa_direita_agressiva: 'lane_change',
  evento_nao_agressivo: 'non_aggressive',
};

export const DETECTED_KIND: Partial<Record<EventKind, LabelKind>> = {
  harsh_braking: 'braking',
  harsh_acceleration: 'acceleration',
  harsh_cornering: 'turn',
  harsh_lane_change: 'lane_change',
};

/** Trips with sensor files (trip 16 has labels only). */
export const FERREIRA_TRIPS = ['17', '20', '21'] as const;

function readCsv(file: string): { up: number[]; x: number[]; y: number[]; z: number[] } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out = { up: [] as number[], x: [] as number[], y: [] as number[], z: [] as number[] };
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i]!.split(',');
    if (c.length < 5) continue;
    out.up.push(Number(c[1]));
    out.x.push(Number(c[2]));
    out.y.push(Number(c[3]));
    out.z.push(Number(c[4]));
  }
  return out;
}

function interp(tq: number, t: number[], v: number[], hint: { i: number }): number {
  while (hint.i + 1 < t.length && t[hint.i + 1]! < tq) hint.i++;
  const i = hint.i;
  if (i + 1 >= t.length) return v[v.length - 1]!;
  const t0 = t[i]!;
  const t1 = t[i + 1]!;
  if (tq <= t0) return v[i]!;
  return v[i]! + ((v[i + 1]! - v[i]!) * (tq - t0)) / (t1 - t0);
}

/** `dataDir` is shared/data/ferreira2017/data. Gyro samples are interpolated onto the accelerometer's clock. */
export function loadFerreiraTrip(dataDir: string, trip: string, batchMs = 1000): FerreiraTrip {
  const dir = join(dataDir, trip);
  const meta = JSON.parse(readFileSync(join(dir, 'viagem.json'), 'utf8')) as {
    start: string;
    firstCollectionUptimeNanos: number;
  };
  // "2016-05-14 11:17:08.871-0300" → ISO
  const iso = meta.start.replace(' ', 'T').replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const startMs = Date.parse(iso);
  const first = meta.firstCollectionUptimeNanos;
  const acc = readCsv(join(dir, 'acelerometro_terra.csv'));
  const gyr = readCsv(join(dir, 'giroscopio_terra.csv'));
  const toMs = (up: number) => startMs + (up - first) / 1e6;
  const gt = gyr.up.map(toMs);
  const batches: SensorBatch[] = [];
  let cur: SensorBatch | null = null;
  let curStart = 0;
  const hx = { i: 0 };
  const hy = { i: 0 };
  const hz = { i: 0 };
  for (let i = 0; i < acc.up.length; i++) {
    const t = Math.round(toMs(acc.up[i]!) * 1000) / 1000;
    if (cur === null || t - curStart >= batchMs) {
      curStart = cur === null ? t : curStart + batchMs * Math.floor((t - curStart) / batchMs);
      cur = {
        deviceId: `ferreira-${trip}`,
        batchId: `ferreira-${trip}-${batches.length}`,
        source: 'v1',
        receivedAtMs: 0,
        imu: { frame: 'earth', t: [], ax: [], ay: [], az: [], gx: [], gy: [], gz: [] },
      };
      batches.push(cur);
    }
    const m = cur.imu!;
    m.t.push(t);
    m.ax.push(acc.x[i]!);
    m.ay.push(acc.y[i]!);
    m.az.push(acc.z[i]!);
    m.gx!.push(interp(t, gt, gyr.x, hx));
    m.gy!.push(interp(t, gt, gyr.y, hy));
    m.gz!.push(interp(t, gt, gyr.z, hz));
  }
  const labels: FerreiraLabel[] = [];
  for (const line of readFileSync(join(dir, 'groundTruth.csv'), 'utf8').split('\n').slice(1)) {
    const [raw, s, e] = line.split(',').map((x) => x.trim());
    if (!raw || s === undefined || e === undefined) continue;
    const kind = LABELS[raw];
    if (!kind) continue;
    labels.push({
      kind,
      raw,
      startS: Number(s),
      endS: Number(e),
      startMs: startMs + Number(s) * 1000,
      endMs: startMs + Number(e) * 1000,
    });
  }
  const lastT = toMs(acc.up[acc.up.length - 1]!);
  return { trip, startMs, durationMs: lastT - startMs, batches, labels, samples: acc.up.length };
}

export const overlaps = (a0: number, a1: number, b0: number, b1: number): boolean => a0 <= b1 && b0 <= a1;

/** Detected events of a harsh kind overlapping the label's interval widened by toleranceMs. */
export function matching(
  label: FerreiraLabel,
  events: readonly DrivingEvent[],
  toleranceMs = 1000,
): DrivingEvent[] {
  return events.filter(
    (e) =>
      DETECTED_KIND[e.kind] !== undefined &&
      overlaps(e.startMs, e.endMs, label.startMs - toleranceMs, label.endMs + toleranceMs),
  );
}
