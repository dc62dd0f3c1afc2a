// A uPlot chart sized to its container, with the plotted numbers in a table for keyboard and screen-reader users.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: ReadonlyArray<number | null>;
  color: string;
  kind?: 'line' | 'bars' | 'step';
  dash?: number[];
}

export interface ChartProps {
  title: string;
  x: readonly number[];
  series: Series[];
  /** x values are epoch seconds (time axis). */
  time?: boolean;
  xLabel?: string;
  yLabel?: string;
  height?: number;
  /** Formats x in the data table. */
  formatX?: (x: number) => string;
  /** Vertical marker lines at these x values. */
  markers?: number[];
  /** Fixed x range (e.g. to line two plots up); default: the data's. */
  xRange?: [number, number];
}

export function Chart({
  title,
  x,
  series,
  time = false,
  xLabel,
  yLabel,
  height = 220,
  formatX,
  markers,
  xRange,
}: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = uPlot.paths.bars?.({ size: [0.8, 60] });
    const stepped = uPlot.paths.stepped?.({ align: 1 });
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height,
      scales: { x: xRange ? { time, range: () => xRange } : { time } },
      legend: { show: series.length > 1 },
      cursor: { drag: { x: false, y: false } },
      axes: [
        { label: xLabel ?? '', stroke: '#333', grid: { stroke: '#e6e6e6' } },
        { label: yLabel ?? '', stroke: '#333', grid: { stroke: '#e6e6e6' }, size: 56 },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(s.dash ? { dash: s.dash } : {}),
          ...(s.kind === 'bars' && bars
            ? { paths: bars, fill: `${s.color}cc`, points: { show: false } }
            : {}),
          ...(s.kind === 'step' && stepped ? { paths: stepped } : {}),
        })),
      ],
      hooks: markers?.length
        ? {
            draw: [
              (u: uPlot) => {
                const ctx = u.ctx;
                ctx.save();
                ctx.strokeStyle = '#b00020';
                ctx.lineWidth = 2 * devicePixelRatio;
                for (const m of markers) {
                  const px = u.valToPos(m, 'x', true);
                  ctx.beginPath();
                  ctx.moveTo(px, u.bbox.top);
                  ctx.lineTo(px, u.bbox.top + u.bbox.height);
                  ctx.stroke();
                }
                ctx.restore();
              },
            ],
          }
        : {},
    };
    const data = [x as number[], ...series.map((s) => s.values as (number | null)[])] as uPlot.AlignedData;
    const plot = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [x, series, time, xLabel, yLabel, height, markers, xRange]);

  const fx = formatX ?? ((v: number) => (time ? new Date(v * 1000).toLocaleString() : String(v)));
  return (
    <figure className="chart">
      <div ref={box} role="img" aria-label={title} />
      <figcaption>
        <details>
          <summary>{title}: data table</summary>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{xLabel ?? 'x'}</th>
                  {series.map((s) => (
                    <th key={s.label} scope="col">
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {x.map((v, i) => (
                  <tr key={v}>
                    <td>{fx(v)}</td>
                    {series.map((s) => (
                      <td key={s.label}>{s.values[i] ?? '—'}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </figcaption>
    </figure>
  );
}
