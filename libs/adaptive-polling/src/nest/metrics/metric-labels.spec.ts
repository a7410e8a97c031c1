import { describe, expect, it } from 'vitest';
import { POLL_ERROR_TYPES, boundedLabel, labelValue, nonNegativeSeconds } from './metric-labels';
import { resolveMetricsOptions } from './resolve-metrics-options';
import { POLLING_METRICS, pollingMetricCatalogue } from './metric-definitions';

describe('metric label values', () => {
  it('keeps values of a bounded set and turns anything else into unknown', () => {
    expect(boundedLabel('timeout', POLL_ERROR_TYPES)).toBe('timeout');
    expect(boundedLabel('ECONNREFUSED', POLL_ERROR_TYPES)).toBe('unknown');
    expect(boundedLabel('', POLL_ERROR_TYPES)).toBe('unknown');
    expect(boundedLabel(undefined, POLL_ERROR_TYPES)).toBe('unknown');
  });

  it('turns empty free-form values into unknown', () => {
    expect(labelValue('pve')).toBe('pve');
    expect(labelValue('  ')).toBe('unknown');
    expect(labelValue(null)).toBe('unknown');
  });

  it('clamps negative and non-finite durations to 0 seconds', () => {
    expect(nonNegativeSeconds(1500)).toBe(1.5);
    expect(nonNegativeSeconds(-20)).toBe(0);
    expect(nonNegativeSeconds(Number.NaN)).toBe(0);
  });
});

describe('metric definitions', () => {
  it('name every family under the prefix, counters ending in _total', () => {
    const names = pollingMetricCatalogue('acme').map((d) => d.name);
    expect(names).toContain('acme_monitor_poll_total');
    expect(new Set(names).size).toBe(names.length);
    for (const d of Object.values(POLLING_METRICS)) {
      if (d.type === 'counter') expect(d.name).toMatch(/_total$/);
    }
  });
});

describe('resolveMetricsOptions', () => {
  it('defaults to prefix pulse, per-target labels, no standalone server', () => {
    expect(resolveMetricsOptions(undefined)).toEqual({
      prefix: 'pulse',
      perTargetLabels: 'auto',
      perTargetLabelLimit: 1000,
      scrapeTimeoutMs: 2000,
      standalone: null,
    });
    expect(resolveMetricsOptions({ standalone: true }).standalone).toEqual({ port: 9091, host: '127.0.0.1', token: null });
  });

  it('lists every problem at once and never echoes the token', () => {
    const secret = 'has space';
    let message = '';
    try {
      resolveMetricsOptions({ prefix: '1bad', perTargetLabels: 'no' as never, standalone: { port: 70000, token: secret } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('metrics.prefix');
    expect(message).toContain('metrics.perTargetLabels');
    expect(message).toContain('metrics.standalone.port');
    expect(message).toContain('metrics.standalone.token');
    expect(message).not.toContain(secret);
  });
});
