import { describe, expect, it } from 'vitest';
import { historyChartSvg } from './history-chart';
import type { HistoryPoint } from './poll-history';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 1, 12);

describe('historyChartSvg', () => {
  it('draws the intervals in the window as a line and each outcome as a dot', () => {
    const points: HistoryPoint[] = [
      { at: NOW - 7 * HOUR, interval: 5_000, outcome: 'failed' },
      { at: NOW - 2 * HOUR, interval: 10_000, outcome: 'unchanged' },
      { at: NOW - HOUR, interval: 20_000, outcome: 'changed' },
      { at: NOW, interval: 40_000, outcome: 'failed' },
    ];
    const svg = historyChartSvg(points, NOW, 6 * HOUR);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('class="poll failed"');
    expect(svg).toContain('class="poll changed"');
    // The largest interval sits on the top grid line, the newest poll at the right edge.
    expect(svg).toContain('<circle cx="708.0" cy="12.0"');
    expect(svg).toContain('>40s<');
    expect(svg).toContain('>0s<');
    // The axis starts at the oldest poll in the window (2 hours ago).
    expect(svg).toContain('<circle cx="56.0" cy="147.0"');
    expect(svg).toContain('>10:00<');
    expect(svg).toContain('>12:00<');
  });

  it('spans at least a minute, with seconds on the axis when under an hour', () => {
    const svg = historyChartSvg([{ at: NOW - 1_000, interval: 2_000, outcome: 'changed' }], NOW, 6 * HOUR);
    expect(svg).toContain('>11:59:00<');
    expect(svg).toContain('>12:00:00<');
  });

  it('says so when nothing was polled in the window', () => {
    expect(historyChartSvg([{ at: NOW - 7 * HOUR, interval: 1, outcome: 'changed' }], NOW, 6 * HOUR)).toContain(
      'no polls in the last 6.0h',
    );
  });
});
