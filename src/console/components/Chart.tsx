import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlotType from 'uplot';
import { bytes, duration, when } from '../lib/format.js';
import type { RunViewT } from '../../http/routes/console/schemas.js';

type UPlot = typeof uPlotType;
let loading: Promise<UPlot> | undefined;
/** uPlot is loaded only where a chart is shown (its own small chunk and stylesheet). */
function loadUPlot(): Promise<UPlot> {
  loading ??= import('uplot').then((m) => m.default);
  return loading;
}

const OK = '#1a7f37';
const FAIL = '#c62828';
const LINE = '#1f5fae';

/**
 * One series over time (oldest left): the runs' sizes or durations. Successful runs are blue dots
 * on a line, failed ones red dots (a failed run has no size: it sits on the axis).
 */
export function RunChart(props: { runs: RunViewT[]; metric: 'size' | 'duration'; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let plot: uPlotType | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    const runs = [...props.runs].filter((r) => r.finished_at !== null).reverse();
    loadUPlot().then((uPlot) => {
      if (cancelled || !box.current) return;
      const xs = runs.map((r) => (r.finished_at ?? r.created_at) / 1000);
      const value = (r: RunViewT) => (props.metric === 'size' ? r.size : r.duration_ms);
      const ok = runs.map((r) => (r.state === 'SUCCEEDED' ? value(r) : null));
      const failed = runs.map((r) => (r.state === 'FAILED' ? (props.metric === 'size' ? 0 : r.duration_ms) : null));
      const fmt = (v: number | null) => (v === null || v === undefined ? '—' : props.metric === 'size' ? bytes(v) : duration(v));
      const width = () => Math.max(260, box.current!.clientWidth);
      plot = new uPlot(
        {
          width: width(),
          height: 200,
          title: undefined,
          legend: { show: true, live: true },
          cursor: { points: { size: 7 } },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
          axes: [
            { stroke: '#5b6675', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6ea' } },
            { stroke: '#5b6675', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6ea' }, size: 72, values: (_u, vals) => vals.map((v) => fmt(v)) },
          ],
          series: [
            { label: 'finished', value: (_u, v) => (v === null ? '—' : when(v * 1000)) },
            { label: 'succeeded', stroke: LINE, width: 1.5, spanGaps: true, points: { show: true, size: 6, fill: LINE, stroke: LINE }, value: (_u, v) => fmt(v) },
            { label: 'failed', stroke: FAIL, width: 0, paths: () => null, points: { show: true, size: 8, fill: FAIL, stroke: FAIL }, value: (_u, v) => (v === null ? '—' : props.metric === 'size' ? 'no data' : duration(v)) },
          ],
        },
        [xs, ok, failed],
        box.current,
      );
      observer = new ResizeObserver(() => plot?.setSize({ width: width(), height: 200 }));
      observer.observe(box.current);
    }, (e) => setError(String(e?.message ?? e)));
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [props.runs, props.metric]);
  return (
    <figure class="chart" data-chart={props.metric}>
      <figcaption>{props.title}</figcaption>
      {error ? <p class="field-error">Chart unavailable: {error}</p> : <div ref={box} class="chart-box" role="img" aria-label={`${props.title}: ${props.runs.length} runs`} />}
    </figure>
  );
}

export const CHART_COLORS = { OK, FAIL, LINE };
