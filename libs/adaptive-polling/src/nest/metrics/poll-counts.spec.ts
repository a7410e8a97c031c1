import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PollCounts } from './poll-counts';

function metrics(counts: PollCounts): { total: Counter<string>; inflight: Gauge<string> } {
  const registry = new Registry();
  const flush = (): void => counts.flush(total, inflight);
  const total: Counter<string> = new Counter({
    name: 't',
    help: 't',
    labelNames: ['instance_type', 'instance', 'result'],
    registers: [registry],
    collect: flush,
  });
  const inflight: Gauge<string> = new Gauge({ name: 'i', help: 'i', labelNames: ['instance_type'], registers: [registry], collect: flush });
  return { total, inflight };
}

describe('PollCounts', () => {
  it('shows every poll counted so far on each read, and counts each once', async () => {
    const counts = new PollCounts();
    const { total, inflight } = metrics(counts);
    const labels = { instance_type: 'pve', instance: 'pve::a' };
    counts.knowType('pbs');
    counts.started('pve::a', 'pve');
    counts.started('pve::a', 'pve'); // a second start of a running poll is not another poll in flight
    expect((await inflight.get()).values).toEqual(
      expect.arrayContaining([
        { labels: { instance_type: 'pve' }, value: 1 },
        { labels: { instance_type: 'pbs' }, value: 0 },
      ]),
    );
    counts.ended('pve::a');
    counts.finished('pve::a', () => labels, 'success');
    counts.finished('pve::a', () => labels, 'error');
    counts.finished('pve::a', () => labels, 'success');
    const first = (await total.get()).values;
    expect(first).toEqual(
      expect.arrayContaining([
        { labels: { ...labels, result: 'success' }, value: 2 },
        { labels: { ...labels, result: 'error' }, value: 1 },
      ]),
    );
    expect((await total.get()).values).toEqual(first);
    expect((await inflight.get()).values).toContainEqual({ labels: { instance_type: 'pve' }, value: 0 });
  });

  it('drops the pending counts of a forgotten series', async () => {
    const counts = new PollCounts();
    const { total } = metrics(counts);
    counts.finished('pve::gone', () => ({ instance_type: 'pve', instance: 'pve::gone' }), 'success');
    counts.forget('pve::gone');
    expect((await total.get()).values).toEqual([]);
  });
});
