import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

// Only what the console draws, so the bundle carries only these parts of chart.js.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip);

/** Colours readable on light and dark backgrounds, in a fixed order so a series keeps its colour. */
export const PALETTE = ['#2f6fdb', '#e0792b', '#2ba36b', '#c2413b', '#8a5cd0', '#1f9bb4', '#b58a16', '#d0558f', '#5b6b7f', '#6aa84f', '#9b6a3c', '#3d4fb5'];

export const COLORS = { ok: '#2ba36b', warn: '#e0a22b', bad: '#c2413b', info: '#2f6fdb', muted: '#8a94a3' };

/** Text and grid colours follow the page's own (light or dark). */
function themeDefaults(): void {
  const style = getComputedStyle(document.documentElement);
  const fg = style.getPropertyValue('--muted').trim();
  const grid = style.getPropertyValue('--line').trim();
  if (fg) Chart.defaults.color = fg;
  if (grid) Chart.defaults.borderColor = grid;
  Chart.defaults.font.family = style.getPropertyValue('font-family') || Chart.defaults.font.family;
}

/** A canvas drawn by chart.js; the data changes in place, without redrawing the chart from scratch. */
export function ChartCanvas({ config, label }: { config: ChartConfiguration; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | undefined>(undefined);
  useEffect(() => {
    themeDefaults();
    chart.current = new Chart(canvas.current!, config);
    return () => {
      chart.current?.destroy();
      chart.current = undefined;
    };
  }, [config.type]);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data = config.data;
    if (config.options) c.options = config.options;
    c.update('none');
  }, [config]);
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
