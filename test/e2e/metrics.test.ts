import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentPollError, type AdaptivePollingModuleOptions } from 'nestjs-adaptive-polling';
import {
  POLLING_METRICS,
  StandaloneMetricsServer,
  pollingMetricCatalogue,
  type MetricDefinition,
} from 'nestjs-adaptive-polling/prometheus';
import type { PollingEngine } from '../../libs/adaptive-polling/src/engine/polling-engine';
import { eventually } from '../support/events';
import { startObservedApp, type ObservedApp } from '../support/observed-app';
import { parsePrometheusText, promtoolCheckMetrics, sampleValue, type MetricFamily } from '../support/prometheus-text';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';
import { PollRecorder, fastPolling } from '../support/scripted-app';

/**
 * `/metrics` of real apps on a private Redis: every family of the shipped
 * catalogue (ops/metric-catalogue.json, which the dashboard and alert rules
 * use) with its type, labels and buckets; promtool's linter; a prefix change;
 * aggregation without per-target labels; three apps in one process.
 */

interface CatalogueEntry {
  name: string;
  type: string;
  help: string;
  labels: string[];
  buckets?: number[];
  labelValues?: Record<string, string[]>;
  scope: string;
}

const catalogue = JSON.parse(readFileSync('ops/metric-catalogue.json', 'utf8')) as CatalogueEntry[];

const key = (name: string) => `scripted::${name}`;

function polling(): AdaptivePollingModuleOptions['polling'] {
  // Transient failures never park (the failing target keeps its breaker cycling);
  // a permanent failure parks at once.
  return fastPolling({ deadLetter: { maxTransientFailures: 1000 } });
}

function recorderWithFleet(prefix: string): PollRecorder {
  const recorder = new PollRecorder();
  recorder.behaviours.set(`${prefix}failing`, () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  });
  recorder.behaviours.set(`${prefix}parked`, () => {
    throw new PermanentPollError('HTTP 401', { statusCode: 401 });
  });
  return recorder;
}

async function scrape(url: string): Promise<{ text: string; contentType: string | null }> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return { text: await response.text(), contentType: response.headers.get('content-type') };
}

async function stateOf(engine: PollingEngine, name: string) {
  return (await engine.snapshot(key(name)))?.state ?? null;
}

/** Label names of a family's samples (histograms: of `_count`, without `le`). */
function labelNamesOf(family: MetricFamily): string[][] {
  const samples = family.type === 'histogram' ? family.samples.filter((s) => s.name.endsWith('_count')) : family.samples;
  return samples.map((s) => Object.keys(s.labels).sort());
}

let redis: PrivateRedis;
const apps: ObservedApp[] = [];
let main: ObservedApp;
let aggregated: ObservedApp;
let renamed: ObservedApp;

beforeAll(async () => {
  redis = await startPrivateRedis();
  // Three apps in this one process, each with its own queue and metrics registry.
  main = await startObservedApp(recorderWithFleet(''), {
    redis: redis.url,
    queueName: 'metrics-main',
    polling: polling(),
    targets: [
      { type: 'scripted', name: 'ok' },
      { type: 'scripted', name: 'failing' },
      { type: 'scripted', name: 'parked' },
      { type: 'scripted', name: 'paused', paused: true },
    ],
  });
  apps.push(main);
  aggregated = await startObservedApp(recorderWithFleet('agg-'), {
    redis: redis.url,
    queueName: 'metrics-aggregated',
    polling: polling(),
    metrics: { perTargetLabels: false },
    targets: [
      { type: 'scripted', name: 'agg-ok' },
      { type: 'scripted', name: 'agg-parked' },
    ],
  });
  apps.push(aggregated);
  renamed = await startObservedApp(new PollRecorder(), {
    redis: redis.url,
    queueName: 'metrics-renamed',
    polling: polling(),
    metrics: { prefix: 'acme', standalone: { port: 0, host: '127.0.0.1', token: 'scrape-token-0123456789' } },
    targets: [{ type: 'scripted', name: 'renamed-ok' }],
  });
  apps.push(renamed);

  await eventually(async () => (await stateOf(main.engine, 'ok'))?.lastSuccessAtMs, 'ok succeeded');
  await eventually(async () => (await stateOf(main.engine, 'parked'))?.deadLetter, 'parked is dead-lettered');
  await eventually(async () => ((await stateOf(main.engine, 'failing'))?.breaker.failures ?? 0) >= 3, 'failing has an open breaker');
  await eventually(async () => (await stateOf(aggregated.engine, 'agg-parked'))?.deadLetter, 'agg-parked is dead-lettered');
  await eventually(async () => (await stateOf(aggregated.engine, 'agg-ok'))?.lastSuccessAtMs, 'agg-ok succeeded');
  await eventually(async () => (await stateOf(renamed.engine, 'renamed-ok'))?.lastSuccessAtMs, 'renamed-ok succeeded');
}, 60_000);

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  await redis?.stop();
});

describe('the library metrics agree with the shipped catalogue', () => {
  it('defines exactly the catalogue families, types, help, labels, label values and buckets', () => {
    const ours = pollingMetricCatalogue('pulse').map((d: MetricDefinition) => ({
      name: d.name,
      type: d.type,
      help: d.help,
      labels: [...d.labels],
      ...(d.buckets ? { buckets: [...d.buckets] } : {}),
      ...(d.labelValues ? { labelValues: Object.fromEntries(Object.entries(d.labelValues).map(([k, v]) => [k, [...v]])) } : {}),
      scope: d.scope,
    }));
    const sortByName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
    expect(sortByName(ours)).toEqual(sortByName(catalogue));
    expect(Object.keys(POLLING_METRICS)).toHaveLength(catalogue.length);
  });
});

describe('GET /metrics', () => {
  it('passes promtool check metrics', async () => {
    main.metrics!.setPersistenceUp(true);
    const { text, contentType } = await scrape(main.url);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const result = promtoolCheckMetrics(text);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('has every catalogue family with its type, help, label names, bounded label values and buckets', async () => {
    // What the persistence layer will report; set here so every family has a sample.
    main.metrics!.setPersistenceUp(true);
    main.metrics!.incPersistenceWriteFailures();
    const families = parsePrometheusText((await scrape(main.url)).text);

    for (const entry of catalogue) {
      const family = families.get(entry.name);
      expect(family, entry.name).toBeDefined();
      expect(family!.type, entry.name).toBe(entry.type);
      expect(family!.help, entry.name).toBe(entry.help);
      expect(family!.samples.length, `${entry.name} has samples`).toBeGreaterThan(0);
      for (const names of labelNamesOf(family!)) expect(names, entry.name).toEqual([...entry.labels].sort());
      for (const [label, allowed] of Object.entries(entry.labelValues ?? {})) {
        for (const sample of family!.samples) expect(allowed, `${entry.name}{${label}}`).toContain(sample.labels[label]);
      }
      if (entry.buckets) {
        const les = new Set(family!.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le));
        expect([...les].sort((a, b) => Number(a) - Number(b))).toEqual([...entry.buckets.map(String), '+Inf']);
      }
    }
    // The host's default registry is merged in (process metrics).
    expect(families.has('process_cpu_user_seconds_total')).toBe(true);
  });

  it('reports what happened to each target', async () => {
    const f = parsePrometheusText((await scrape(main.url)).text);
    const target = (name: string) => ({ instance_type: 'scripted', instance: key(name) });

    expect(sampleValue(f, 'pulse_monitor_poll_total', { ...target('ok'), result: 'success' })).toBeGreaterThan(0);
    expect(sampleValue(f, 'pulse_monitor_poll_total', { ...target('ok'), result: 'error' })).toBe(0);
    expect(sampleValue(f, 'pulse_monitor_poll_errors_total', { ...target('parked'), error_type: 'auth' })).toBe(1);
    expect(sampleValue(f, 'pulse_monitor_poll_errors_total', { ...target('failing'), error_type: 'network' })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(f, 'pulse_monitor_poll_duration_seconds_count', target('ok'))).toBeGreaterThan(0);

    expect(sampleValue(f, 'pulse_scheduler_dead_letter_depth', target('parked'))).toBe(1);
    expect(sampleValue(f, 'pulse_scheduler_dead_letter_depth', target('ok'))).toBe(0);
    expect(sampleValue(f, 'pulse_scheduler_breaker_state', target('failing'))).toBeGreaterThanOrEqual(1);
    expect(sampleValue(f, 'pulse_scheduler_breaker_failures', target('failing'))).toBeGreaterThanOrEqual(3);
    expect(sampleValue(f, 'pulse_scheduler_breaker_state', target('ok'))).toBe(0);
    expect(
      sampleValue(f, 'pulse_scheduler_breaker_transitions_total', { instance_type: 'scripted', from: 'closed', to: 'open' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(f, 'pulse_scheduler_dead_letter_transitions_total', {
        instance_type: 'scripted',
        direction: 'in',
        reason: 'permanent_failure',
      }),
    ).toBe(1);

    const staleness = sampleValue(f, 'pulse_monitor_poll_staleness_seconds', target('ok'));
    expect(staleness).toBeGreaterThanOrEqual(0);
    expect(staleness).toBeLessThan(30);
    expect(sampleValue(f, 'pulse_monitor_poll_staleness_seconds', target('parked'))).toBe(-1);
    // Paused targets are not meant to be polled: no staleness series.
    expect(sampleValue(f, 'pulse_monitor_poll_staleness_seconds', target('paused'))).toBeUndefined();
    const lastSuccess = sampleValue(f, 'pulse_monitor_poll_last_success_timestamp', target('ok'))!;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(60);

    expect(sampleValue(f, 'pulse_scheduler_targets', { instance_type: 'scripted' })).toBe(4);
    expect(sampleValue(f, 'pulse_scheduler_max_interval_seconds', { instance_type: 'scripted' })).toBe(20);
    // Not paused, not parked: ok and failing.
    expect(sampleValue(f, 'pulse_scheduler_queue_depth', { instance_type: 'scripted' })).toBe(2);
    expect(sampleValue(f, 'pulse_monitor_poll_queue_depth')).toBe(2);
    expect(sampleValue(f, 'pulse_scheduler_replicas_alive')).toBe(1);
  });

  it('follows the shared state between scrapes: an operator retry takes the target out of the dead-letter queue', async () => {
    const recorder = new PollRecorder();
    const app = await startObservedApp(recorder, {
      redis: redis.url,
      queueName: 'metrics-operator',
      polling: polling(),
      targets: [{ type: 'scripted', name: 'flaky' }],
    });
    apps.push(app);
    let healthy = false;
    recorder.behaviours.set('flaky', () => {
      if (!healthy) throw new PermanentPollError('HTTP 404', { statusCode: 404 });
      return { ok: true };
    });
    await eventually(async () => (await stateOf(app.engine, 'flaky'))?.deadLetter, 'flaky is dead-lettered');
    let f = parsePrometheusText((await scrape(app.url)).text);
    expect(sampleValue(f, 'pulse_scheduler_dead_letter_depth', { instance: key('flaky') })).toBe(1);

    healthy = true;
    await app.engine.applyAction(key('flaky'), 'retry_dead_letter');
    await eventually(async () => {
      const state = await stateOf(app.engine, 'flaky');
      return state && !state.deadLetter && state.lastSuccessAtMs !== null;
    }, 'flaky recovered');
    f = parsePrometheusText((await scrape(app.url)).text);
    expect(sampleValue(f, 'pulse_scheduler_dead_letter_depth', { instance: key('flaky') })).toBe(0);
    const out =
      (sampleValue(f, 'pulse_scheduler_dead_letter_transitions_total', { direction: 'out', reason: 'operator_retry' }) ?? 0) +
      (sampleValue(f, 'pulse_scheduler_dead_letter_transitions_total', { direction: 'out', reason: 'recovered' }) ?? 0);
    expect(out).toBeGreaterThanOrEqual(1);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  });

  it('leaves persistence_up without a sample until something reports it', async () => {
    const app = await startObservedApp(new PollRecorder(), {
      redis: redis.url,
      queueName: 'metrics-no-persistence',
      polling: polling(),
      targets: [],
    });
    apps.push(app);
    const f = parsePrometheusText((await scrape(app.url)).text);
    expect(f.get('pulse_scheduler_persistence_up')?.samples).toEqual([]);
    expect(sampleValue(f, 'pulse_scheduler_persistence_write_failures_total')).toBe(0);
    app.metrics!.setPersistenceUp(false);
    expect(sampleValue(parsePrometheusText((await scrape(app.url)).text), 'pulse_scheduler_persistence_up')).toBe(0);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  });
});

describe('options', () => {
  it('perTargetLabels: false reports instance="all", aggregated per type', async () => {
    const { text } = await scrape(aggregated.url);
    const f = parsePrometheusText(text);
    for (const name of [
      'pulse_monitor_poll_total',
      'pulse_monitor_poll_errors_total',
      'pulse_monitor_poll_staleness_seconds',
      'pulse_scheduler_dead_letter_depth',
      'pulse_scheduler_breaker_state',
    ]) {
      const instances = new Set(f.get(name)!.samples.map((s) => s.labels.instance));
      expect(instances, name).toEqual(new Set(['all']));
    }
    expect(sampleValue(f, 'pulse_scheduler_dead_letter_depth', { instance_type: 'scripted', instance: 'all' })).toBe(1);
    expect(sampleValue(f, 'pulse_monitor_poll_total', { instance: 'all', result: 'success' })).toBeGreaterThan(0);
    expect(text).not.toContain('agg-ok');
    expect(promtoolCheckMetrics(text).status).toBe(0);
  });

  it('metrics.prefix renames every polling family', async () => {
    const { text } = await scrape(renamed.url);
    const f = parsePrometheusText(text);
    for (const entry of catalogue) {
      const renamedName = entry.name.replace(/^pulse_/, 'acme_');
      expect(f.get(renamedName)?.type, renamedName).toBe(entry.type);
      expect(f.has(entry.name), entry.name).toBe(false);
    }
    expect(sampleValue(f, 'acme_monitor_poll_total', { instance: key('renamed-ok'), result: 'success' })).toBeGreaterThan(0);
    expect(promtoolCheckMetrics(text).status).toBe(0);
  });

  it('metrics.standalone serves the same metrics on its own port, behind its bearer token', async () => {
    const url = renamed.app.get(StandaloneMetricsServer).url();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const refused = await fetch(url!);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(url!, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(url!, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
    expect(ok.status).toBe(200);
    const f = parsePrometheusText(await ok.text());
    expect(sampleValue(f, 'acme_scheduler_targets', { instance_type: 'scripted' })).toBe(1);
  });
});

describe('several apps in one process', () => {
  it('keep their metrics apart: each scrape shows only its own targets and counts', async () => {
    const [a, b, c] = await Promise.all([scrape(main.url), scrape(aggregated.url), scrape(renamed.url)]);
    const fa = parsePrometheusText(a.text);
    const fb = parsePrometheusText(b.text);
    const fc = parsePrometheusText(c.text);

    const instancesA = new Set(fa.get('pulse_monitor_poll_total')!.samples.map((s) => s.labels.instance));
    expect(instancesA).toEqual(new Set(['ok', 'failing', 'parked', 'paused'].map(key)));
    expect(sampleValue(fa, 'pulse_scheduler_targets', { instance_type: 'scripted' })).toBe(4);
    expect(sampleValue(fb, 'pulse_scheduler_targets', { instance_type: 'scripted' })).toBe(2);
    expect(sampleValue(fc, 'acme_scheduler_targets', { instance_type: 'scripted' })).toBe(1);
    // Same metric names in two registries of one process, no clash, and the
    // process metrics of the default registry are in every scrape.
    for (const f of [fa, fb, fc]) expect(f.has('process_cpu_user_seconds_total')).toBe(true);
    expect(fc.has('pulse_scheduler_targets')).toBe(false);
  });
});
