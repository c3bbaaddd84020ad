import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
  /** One value per x; null leaves a gap. */
  values: (number | null)[];
  /** Drawn as a filled area under the line. */
  fill?: boolean;
  dash?: boolean;
}

interface TimeChartProps {
  /** X values: bucket starts in unix seconds. */
  xs: number[];
  series: ChartSeries[];
  /** How a y value reads on the axis and in the hover readout. */
  format: (v: number) => string;
  /** What the chart shows, for readers who cannot see it. */
  summary: string;
  /** @default 200 */
  height?: number;
}

/** A uPlot line chart sized to its container; the legend and hover readout are plain text beside it. */
export function TimeChart({ xs, series, format, summary, height = 200 }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || xs.length === 0) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: '#57606a', grid: { stroke: '#eaeef2', width: 1 }, ticks: { stroke: '#d0d7de', width: 1 }, font: '11px system-ui, sans-serif' },
        { stroke: '#57606a', grid: { stroke: '#eaeef2', width: 1 }, ticks: { stroke: '#d0d7de', width: 1 }, font: '11px system-ui, sans-serif', size: 64, values: (_u, vals) => vals.map((v) => format(v)) },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          fill: s.fill ? `${s.color}22` : undefined,
          dash: s.dash ? [4, 3] : undefined,
          points: { show: xs.length < 40, size: 4 },
          spanGaps: false,
        })),
      ],
      hooks: {
        setCursor: [
          (u) => {
            const out = readout.current;
            if (!out) return;
            const i = u.cursor.idx;
            if (i === null || i === undefined) {
              out.textContent = '';
              return;
            }
            const t = new Date(xs[i] * 1000).toLocaleString('en-GB', { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });
            out.textContent = `${t}: ${series.map((s) => `${s.label} ${s.values[i] === null ? '—' : format(s.values[i] as number)}`).join(' · ')}`;
          },
        ],
      },
    };
    const plot = new uPlot(opts, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [xs, series, height, format]);
  return (
    <div class="chart">
      <div class="legend" aria-hidden="true">
        {series.map((s) => (
          <span key={s.label} class="legend-item">
            <span class="swatch" style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
        <span class="readout" ref={readout} />
      </div>
      {xs.length === 0 ? <p class="empty-note">No data in this range.</p> : <div class="plot" ref={box} role="img" aria-label={summary} />}
    </div>
  );
}

/** Distinct colours that keep 3:1 against white for lines (WCAG non-text contrast). */
export const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#475569'];
