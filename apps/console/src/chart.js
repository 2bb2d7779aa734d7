import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** A small uPlot line chart; `series` is [{ label, values, color }], `times` in seconds. */
export function Chart({ title, times, series, height = 120, width = 300 }) {
  const element = useRef(null);
  const plot = useRef(null);
  const shape = series.map((s) => s.label).join('|');
  useEffect(() => {
    const options = {
      title,
      width,
      height,
      legend: { show: true, live: false },
      cursor: { show: false },
      scales: { x: { time: true } },
      axes: [{ size: 24, space: 60 }, { size: 40 }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true }))],
    };
    plot.current = new uPlot(options, [times, ...series.map((s) => s.values)], element.current);
    return () => plot.current?.destroy();
  }, [shape, width, height]);
  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  }, [times, series]);
  return html`<div class="chart" ref=${element}></div>`;
}
