import type { HistoryPoint } from './poll-history';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };
const COLOURS: Record<HistoryPoint['outcome'], string> = { changed: '#2f80ed', unchanged: '#27ae60', failed: '#eb5757' };

function seconds(ms: number): string {
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)}m`;
  return `${(ms / 1000).toFixed(ms > 0 && ms < 10_000 ? 1 : 0)}s`;
}

/** The chart spans the polls it has (at least this long), up to the whole window. */
const MIN_SPAN_MS = 60_000;

function clock(ms: number, withSeconds: boolean): string {
  return new Date(ms).toISOString().slice(11, withSeconds ? 19 : 16);
}

/**
 * The target page's chart as inline SVG: the interval chosen after each
 * poll in the window (a line), each poll's outcome as a coloured dot.
 * Pure: the window ends at `now`; the time axis starts at the oldest poll
 * shown, so a young history is not squeezed into the right edge.
 */
export function historyChartSvg(points: readonly HistoryPoint[], now: number, windowMs: number): string {
  const shown = points.filter((p) => p.at >= now - windowMs && p.at <= now);
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" class="chart" role="img" aria-label="interval and poll outcomes">`;
  if (shown.length === 0) {
    return `${open}<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" class="empty">no polls in the last ${seconds(windowMs)}</text></svg>`;
  }
  const from = Math.max(now - windowMs, Math.min(now - MIN_SPAN_MS, shown[0].at));
  const spanMs = now - from;
  const maxInterval = Math.max(...shown.map((p) => p.interval), 1);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (at: number) => (PAD.left + ((at - from) / spanMs) * plotW).toFixed(1);
  const y = (interval: number) => (PAD.top + plotH - (interval / maxInterval) * plotH).toFixed(1);
  const parts: string[] = [open];
  for (const fraction of [0, 0.5, 1]) {
    const value = maxInterval * fraction;
    parts.push(
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(value)}" y2="${y(value)}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${y(value)}" text-anchor="end" dominant-baseline="middle" class="axis">${seconds(value)}</text>`,
    );
  }
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    const at = from + spanMs * fraction;
    // The end labels align inwards, so they are not cut off at the edges.
    const anchor = fraction === 0 ? 'start' : fraction === 1 ? 'end' : 'middle';
    parts.push(`<text x="${x(at)}" y="${HEIGHT - 8}" text-anchor="${anchor}" class="axis">${clock(at, spanMs < 3_600_000)}</text>`);
  }
  parts.push(`<polyline class="interval" fill="none" points="${shown.map((p) => `${x(p.at)},${y(p.interval)}`).join(' ')}"/>`);
  for (const p of shown) {
    parts.push(`<circle cx="${x(p.at)}" cy="${y(p.interval)}" r="3" fill="${COLOURS[p.outcome]}" class="poll ${p.outcome}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
