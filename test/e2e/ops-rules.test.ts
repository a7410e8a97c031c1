// Operator artefacts in ops/ and docs/RUNBOOK.md:
// - `bash ops/check.sh` (promtool check rules + promtool test rules + dashboard JSON) passes;
// - every metric and label the dashboard, the alert rules, their unit tests and the runbook
//   queries use exists in ops/metric-catalogue.json (the same file the app's metrics are tested
//   against), so renaming a metric on either side fails here;
// - every alert has a severity, annotations, a runbook section and promtool cases where it fires
//   and where it must not.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(__dirname, '..', '..');
const read = (relativePath: string): string => readFileSync(join(repoRoot, relativePath), 'utf8');

const CHECK_TIMEOUT_MS = 5 * 60_000;

interface CatalogueEntry {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  labels: string[];
  labelValues?: Record<string, string[]>;
  buckets?: number[];
  scope: 'cluster' | 'process';
}

const catalogue: CatalogueEntry[] = JSON.parse(read('ops/metric-catalogue.json'));
const catalogueByName = new Map(catalogue.map((entry) => [entry.name, entry]));
const allCatalogueLabels = new Set(catalogue.flatMap((entry) => entry.labels));

const EXPECTED_ALERTS = [
  'DeadLettersGrowing',
  'BreakerOpenTooLong',
  'TargetStalenessHigh',
  'QueueWaitP95High',
  'NoSuccessfulPollOfType',
  'ReplicasDown',
  'PersistenceDown',
];

// ---------------------------------------------------------------------------------------------
// Catalogue lookups

interface ResolvedMetric {
  entry: CatalogueEntry;
  allowedLabels: Set<string>;
}

/** A series name as used in PromQL: the catalogue name, or a histogram's _bucket/_sum/_count. */
function resolveMetric(name: string): ResolvedMetric | undefined {
  const direct = catalogueByName.get(name);
  if (direct) return { entry: direct, allowedLabels: new Set(direct.labels) };
  const suffix = /_(bucket|sum|count)$/.exec(name);
  if (!suffix) return undefined;
  const base = catalogueByName.get(name.slice(0, -suffix[0].length));
  if (!base || base.type !== 'histogram') return undefined;
  const allowedLabels = new Set(base.labels);
  if (suffix[1] === 'bucket') allowedLabels.add('le');
  return { entry: base, allowedLabels };
}

// ---------------------------------------------------------------------------------------------
// A small PromQL scanner: enough to list metric names, selector labels and grouping labels.

const PROMQL_FUNCTIONS = new Set([
  // aggregations
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  // functions
  'abs',
  'absent',
  'absent_over_time',
  'ceil',
  'changes',
  'clamp',
  'clamp_max',
  'clamp_min',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'delta',
  'deriv',
  'exp',
  'floor',
  'histogram_quantile',
  'histogram_count',
  'histogram_sum',
  'histogram_fraction',
  'holt_winters',
  'hour',
  'idelta',
  'increase',
  'irate',
  'label_join',
  'label_replace',
  'ln',
  'log2',
  'log10',
  'minute',
  'month',
  'predict_linear',
  'rate',
  'resets',
  'round',
  'scalar',
  'sgn',
  'sort',
  'sort_desc',
  'sqrt',
  'time',
  'timestamp',
  'vector',
  'year',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'quantile_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'last_over_time',
  'present_over_time',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'cos',
  'cosh',
  'sin',
  'sinh',
  'tan',
  'tanh',
  'deg',
  'rad',
  'pi',
]);
const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
  'start',
  'end',
]);
const STRING = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`;

interface ScannedExpr {
  metrics: string[];
  selectorLabels: Array<{ metric: string; label: string }>;
  groupingLabels: string[];
  unknownFunctions: string[];
}

function scanPromQL(rawExpr: string): ScannedExpr {
  let expr = rawExpr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/#[^\n]*/g, ' '); // comments
  const result: ScannedExpr = { metrics: [], selectorLabels: [], groupingLabels: [], unknownFunctions: [] };

  // Selectors: optional metric name followed by {matchers}.
  expr = expr.replace(
    new RegExp(String.raw`([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{((?:${STRING}|[^{}"'])*)\}`, 'g'),
    (_match, metric: string | undefined, body: string) => {
      const matcher = new RegExp(String.raw`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*(?:${STRING})`, 'g');
      for (const m of body.matchAll(matcher)) result.selectorLabels.push({ metric: metric ?? '', label: m[1] });
      return ` ${metric ?? ''} `;
    },
  );
  // Grouping / matching label lists.
  expr = expr.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, _kw, list: string) => {
    for (const label of list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      result.groupingLabels.push(label);
    return ' ';
  });
  expr = expr
    .replace(new RegExp(STRING, 'g'), ' ')
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/(?<![a-zA-Z_:])\d+(\.\d+)?(e[+-]?\d+)?(ms|s|m|h|d|w|y)?(?![a-zA-Z0-9_:])/g, ' ');
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, identifier, call] = m;
    if (call) {
      if (!PROMQL_FUNCTIONS.has(identifier) && !PROMQL_KEYWORDS.has(identifier)) result.unknownFunctions.push(identifier);
      continue;
    }
    if (PROMQL_KEYWORDS.has(identifier)) continue;
    result.metrics.push(identifier);
  }
  return result;
}

/** Problems with one expression: unknown metrics, labels a metric does not have, unknown labels. */
function checkExpr(where: string, expr: string, options: { external?: string[]; extraLabels?: string[] } = {}): string[] {
  const problems: string[] = [];
  const external = new Set(options.external ?? []);
  const knownLabels = new Set([...allCatalogueLabels, 'le', ...(options.extraLabels ?? [])]);
  const scanned = scanPromQL(expr);
  if (scanned.metrics.length === 0) problems.push(`${where}: no metric found in ${JSON.stringify(expr)}`);
  for (const fn of scanned.unknownFunctions) problems.push(`${where}: unknown PromQL function ${fn}`);
  for (const metric of scanned.metrics) {
    if (!resolveMetric(metric) && !external.has(metric)) problems.push(`${where}: metric ${metric} is not in the catalogue`);
  }
  for (const { metric, label } of scanned.selectorLabels) {
    if (external.has(metric)) continue;
    const resolved = resolveMetric(metric);
    if (!resolved) {
      problems.push(`${where}: selector without a catalogue metric name ({${label}=...})`);
    } else if (!resolved.allowedLabels.has(label)) {
      problems.push(`${where}: ${metric} has no label ${label} (catalogue: ${[...resolved.allowedLabels].join(', ')})`);
    }
  }
  for (const label of scanned.groupingLabels) {
    if (!knownLabels.has(label)) problems.push(`${where}: label ${label} is not in the catalogue`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Minimal readers for the two YAML files (written in a regular shape; no YAML dependency).

interface YamlValue {
  key: string;
  value: string;
  line: number;
}

/** Every `key: value` of the given keys, with block scalars (`|`, `>`) and quoted strings resolved. */
function yamlValues(text: string, keys: string[]): YamlValue[] {
  const lines = text.split('\n');
  const out: YamlValue[] = [];
  const keyPattern = new RegExp(String.raw`^(\s*)(?:-\s+)?(${keys.join('|')}):\s*(.*)$`);
  for (let i = 0; i < lines.length; i++) {
    const m = keyPattern.exec(lines[i]);
    if (!m) continue;
    const [, , key, rest] = m;
    const keyColumn = lines[i].indexOf(`${key}:`);
    let value = rest.trim();
    if (/^[|>][-+]?$/.test(value)) {
      const block: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const line = lines[j];
        if (line.trim() === '') {
          block.push('');
          continue;
        }
        if (line.length - line.trimStart().length <= keyColumn) break;
        block.push(line.trim());
      }
      value = value.startsWith('>') ? block.join(' ').replace(/\s+/g, ' ').trim() : block.join('\n').trim();
      i = j - 1;
    } else if (/^'.*'$/.test(value)) {
      value = value.slice(1, -1).replace(/''/g, "'");
    } else if (/^".*"$/.test(value)) {
      value = JSON.parse(value) as string;
    }
    out.push({ key, value, line: i + 1 });
  }
  return out;
}

interface AlertRule {
  name: string;
  fields: Map<string, string>;
}

function readAlertRules(text: string): AlertRule[] {
  const rules: AlertRule[] = [];
  for (const { key, value } of yamlValues(text, ['alert', 'expr', 'for', 'severity', 'summary', 'description', 'runbook_url'])) {
    if (key === 'alert') rules.push({ name: value, fields: new Map() });
    else rules.at(-1)?.fields.set(key, value);
  }
  return rules;
}

/** GitHub-style heading slugs plus explicit `<a id="...">` anchors. */
function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    anchors.add(
      m[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .trim()
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}

// ---------------------------------------------------------------------------------------------
// Dashboard walking

interface GrafanaTarget {
  expr?: string;
  legendFormat?: string;
  refId?: string;
  datasource?: { type?: string; uid?: string };
}
interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}
interface GrafanaVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  datasource?: { type?: string; uid?: string };
}
interface GrafanaDashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: GrafanaPanel[];
  templating: { list: GrafanaVariable[] };
}

function allPanels(panels: GrafanaPanel[] = []): GrafanaPanel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels)]);
}

const dashboard: GrafanaDashboard = JSON.parse(read('ops/grafana/adaptive-polling-dashboard.json'));
const rulesText = read('ops/prometheus/adaptive-polling-rules.yml');
const ruleTestsText = read('ops/prometheus/adaptive-polling-rules.test.yml');
const runbook = read('docs/RUNBOOK.md');

// ---------------------------------------------------------------------------------------------

describe('ops artefacts', () => {
  it(
    'bash ops/check.sh passes (promtool check rules, promtool test rules, dashboard JSON)',
    async () => {
      const { code, stdout, stderr } = await new Promise<{ code: number | string | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          'bash',
          ['ops/check.sh'],
          {
            cwd: repoRoot,
            timeout: CHECK_TIMEOUT_MS,
            maxBuffer: 16 * 1024 * 1024,
            env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
          },
          (error, out, err) => {
            const code = error ? ((error as NodeJS.ErrnoException & { code?: number | string }).code ?? 1) : 0;
            resolve({ code, stdout: String(out), stderr: String(err) });
          },
        );
      });
      expect(code, `ops/check.sh failed\n--- stdout\n${stdout}\n--- stderr\n${stderr}`).toBe(0);
      expect(stdout).toMatch(/SUCCESS: 7 rules found/);
      expect(stdout).toMatch(/Unit Testing:[^\n]*\n\s*SUCCESS/);
      expect(stdout).toContain('all ops checks passed');
    },
    CHECK_TIMEOUT_MS + 30_000,
  );

  describe('metric catalogue', () => {
    it('is a well-formed array of unique metrics with the default prefix', () => {
      expect(Array.isArray(catalogue)).toBe(true);
      expect(catalogueByName.size).toBe(catalogue.length);
      for (const entry of catalogue) {
        expect(entry.name, entry.name).toMatch(/^pulse_(monitor|scheduler)_[a-z0-9_]+$/);
        expect(['counter', 'gauge', 'histogram'], entry.name).toContain(entry.type);
        expect(['cluster', 'process'], entry.name).toContain(entry.scope);
        expect(entry.help, entry.name).toBeTruthy();
        if (entry.type === 'counter') expect(entry.name).toMatch(/_total$/);
        else expect(entry.name).not.toMatch(/_total$/);
        for (const label of entry.labels) expect(label, entry.name).toMatch(/^[a-z_][a-z0-9_]*$/);
        expect(new Set(entry.labels).size, entry.name).toBe(entry.labels.length);
        expect(entry.labels, entry.name).not.toContain('le');
        for (const label of Object.keys(entry.labelValues ?? {})) expect(entry.labels, entry.name).toContain(label);
        if (entry.type === 'histogram') {
          expect(entry.buckets?.length, entry.name).toBeGreaterThan(0);
          expect(
            [...(entry.buckets ?? [])].sort((a, b) => a - b),
            entry.name,
          ).toEqual(entry.buckets);
        } else {
          expect(entry.buckets, entry.name).toBeUndefined();
        }
      }
    });
  });

  describe('Grafana dashboard', () => {
    const panels = allPanels(dashboard.panels);
    const queryPanels = panels.filter((panel) => panel.type !== 'row');

    it('has the fixed uid, a prometheus datasource variable and the instance_type variable', () => {
      expect(dashboard.uid).toBe('adaptive-polling');
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
      expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      const instanceType = variables.get('instance_type');
      expect(instanceType).toMatchObject({ type: 'query', multi: true, datasource: { type: 'prometheus', uid: '${datasource}' } });
      const query = typeof instanceType?.query === 'string' ? instanceType.query : instanceType?.query?.query;
      expect(query).toBe('label_values(pulse_monitor_poll_total, instance_type)');
      expect(instanceType?.definition).toBe(query);
    });

    it('has unique panel ids and every query panel uses the datasource variable', () => {
      const ids = panels.map((panel) => panel.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of queryPanels) {
        expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) expect(target.expr, panel.title).toBeTruthy();
      }
    });

    it('uses only catalogue metrics and labels (queries, legends, variables)', () => {
      const problems: string[] = [];
      for (const panel of queryPanels) {
        for (const target of panel.targets ?? []) {
          const where = `panel "${panel.title}" ${target.refId}`;
          problems.push(...checkExpr(where, target.expr ?? ''));
          for (const m of (target.legendFormat ?? '').matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)) {
            if (!allCatalogueLabels.has(m[1])) problems.push(`${where}: legend label ${m[1]} is not in the catalogue`);
          }
        }
      }
      for (const variable of dashboard.templating.list) {
        const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
        if (variable.type !== 'query' || !query) continue;
        const m = /^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(query);
        if (!m) {
          problems.push(`variable ${variable.name}: unsupported query ${query}`);
          continue;
        }
        const resolved = resolveMetric(m[1]);
        if (!resolved) problems.push(`variable ${variable.name}: metric ${m[1]} is not in the catalogue`);
        else if (!resolved.allowedLabels.has(m[2])) problems.push(`variable ${variable.name}: ${m[1]} has no label ${m[2]}`);
      }
      expect(problems).toEqual([]);
    });

    it('has the panels operators need', () => {
      const exprsOf = (titlePattern: RegExp): string =>
        queryPanels
          .filter((panel) => titlePattern.test(panel.title))
          .flatMap((panel) => panel.targets ?? [])
          .map((target) => target.expr)
          .join('\n');
      const required: Array<[RegExp, RegExp]> = [
        [/polls per second by type and result/i, /sum by \(instance_type, result\) \(rate\(pulse_monitor_poll_total/],
        [
          /poll duration p95/i,
          /histogram_quantile\(0\.95, sum by \(instance_type, le\) \(rate\(pulse_monitor_poll_duration_seconds_bucket/,
        ],
        [/staleness \(max by type\)/i, /max by \(instance_type\) \(pulse_monitor_poll_staleness_seconds/],
        [/top 10 stalest/i, /topk\(10, max by \(instance_type, instance\) \(pulse_monitor_poll_staleness_seconds/],
        [/queue depth and due soon/i, /pulse_scheduler_queue_due_soon/],
        [/queue depth and due soon/i, /pulse_scheduler_queue_depth|pulse_monitor_poll_queue_depth/],
        [/queue wait p95/i, /histogram_quantile\(0\.95, sum by \(instance_type, le\) \(rate\(pulse_scheduler_queue_wait_seconds_bucket/],
        [/dead-letter depth/i, /pulse_scheduler_dead_letter_depth/],
        [/open breakers/i, /pulse_scheduler_breaker_state[^\n]*== 2/],
        [/breaker transitions/i, /rate\(pulse_scheduler_breaker_transitions_total/],
        [/dead-letter in\/out/i, /rate\(pulse_scheduler_dead_letter_transitions_total/],
        [/live replicas/i, /pulse_scheduler_replicas_alive/],
        [/persistence/i, /pulse_scheduler_persistence_up/],
      ];
      for (const [title, expr] of required) expect(exprsOf(title), `panel ${title}`).toMatch(expr);
    });
  });

  describe('Prometheus alert rules', () => {
    const rules = readAlertRules(rulesText);
    const anchors = markdownAnchors(runbook);

    it('define exactly the expected alerts in group adaptive-polling', () => {
      expect(rulesText).toMatch(/^\s*-\s+name:\s*adaptive-polling\s*$/m);
      expect(rules.map((rule) => rule.name).sort()).toEqual([...EXPECTED_ALERTS].sort());
    });

    it('use only catalogue metrics and labels', () => {
      const problems = rules.flatMap((rule) => checkExpr(`alert ${rule.name}`, rule.fields.get('expr') ?? ''));
      expect(problems).toEqual([]);
    });

    it('each carry a severity, summary, description and a runbook_url whose anchor exists', () => {
      for (const rule of rules) {
        expect(['warning', 'critical'], rule.name).toContain(rule.fields.get('severity'));
        expect(rule.fields.get('summary'), rule.name).toBeTruthy();
        expect(rule.fields.get('description'), rule.name).toBeTruthy();
        const url = rule.fields.get('runbook_url') ?? '';
        expect(url, rule.name).toBe(`docs/RUNBOOK.md#${rule.name.toLowerCase()}`);
        expect(anchors.has(url.split('#')[1]), `${rule.name}: runbook anchor missing`).toBe(true);
      }
    });

    it('are documented in the runbook with their query', () => {
      const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();
      const runbookText = normalise(runbook);
      for (const rule of rules) {
        expect(runbook, rule.name).toMatch(new RegExp(`^## ${rule.name}$`, 'm'));
        expect(runbookText, `${rule.name}: the alert's PromQL is not in the runbook`).toContain(normalise(rule.fields.get('expr') ?? ''));
      }
    });

    it('have promtool cases where each alert fires and where it must not', () => {
      const values = yamlValues(ruleTestsText, ['alertname', 'exp_alerts', 'rule_files']);
      expect(values.find((v) => v.key === 'rule_files')).toBeDefined();
      const firing = new Set<string>();
      const silent = new Set<string>();
      values.forEach((v, i) => {
        if (v.key !== 'alertname') return;
        const next = values[i + 1];
        expect(next?.key, `alert_rule_test for ${v.value} at line ${v.line} has no exp_alerts`).toBe('exp_alerts');
        (next.value === '[]' ? silent : firing).add(v.value);
      });
      for (const alert of EXPECTED_ALERTS) {
        expect(firing.has(alert), `${alert} has no firing case`).toBe(true);
        expect(silent.has(alert), `${alert} has no must-not-fire case`).toBe(true);
      }
    });

    it('are tested with input series and expressions that use catalogue names and labels', () => {
      const problems: string[] = [];
      for (const { key, value, line } of yamlValues(ruleTestsText, ['series', 'expr'])) {
        // `up` stands for a scrape target; `replica` is the per-replica target label of a real scrape.
        const options = { external: ['up'], extraLabels: ['replica', 'job'] };
        if (key === 'expr') {
          problems.push(...checkExpr(`rule test expr line ${line}`, value, options));
          continue;
        }
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?$/.exec(value);
        if (!m) {
          problems.push(`rule test line ${line}: unreadable series ${value}`);
          continue;
        }
        if (m[1] === 'up') continue;
        const resolved = resolveMetric(m[1]);
        if (!resolved) {
          problems.push(`rule test line ${line}: metric ${m[1]} is not in the catalogue`);
          continue;
        }
        for (const label of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=/g)) {
          if (!resolved.allowedLabels.has(label[1]) && !options.extraLabels.includes(label[1])) {
            problems.push(`rule test line ${line}: ${m[1]} has no label ${label[1]}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  });

  describe('runbook', () => {
    it('documents the health API, Bull Board and every management route with the bearer token', () => {
      for (const text of [
        'GET /api/monitoring/scheduler/health',
        '/admin/queues',
        '/api/monitoring/breakers/$key/reset',
        'POST /api/monitoring/breakers/:instance/reset',
        'POST /api/monitoring/dlq/retry',
        'POST /api/monitoring/dlq/:instance/retry',
        'DELETE /api/monitoring/dlq/:instance',
        'POST /api/monitoring/instances/:instance/pause',
        '/resume',
        'Authorization: Bearer',
        'pve%3A%3Anode-1',
      ]) {
        expect(runbook, text).toContain(text);
      }
    });

    it('uses only catalogue metrics and labels in its PromQL blocks', () => {
      const problems: string[] = [];
      for (const block of runbook.matchAll(/```promql\n([\s\S]*?)```/g)) {
        // One query per line, unless the block is one multi-line query (starts indented lines).
        const text = block[1];
        const queries = /\n\s/.test(text) ? [text] : text.split('\n').filter((l) => l.trim() !== '');
        for (const query of queries) {
          problems.push(...checkExpr('runbook', query, { external: ['up'], extraLabels: ['replica', 'pod', 'job'] }));
        }
      }
      expect(problems).toEqual([]);
    });
  });

  it('the scanner catches a renamed metric and a wrong label', () => {
    expect(checkExpr('probe', 'sum by (instance_type) (rate(pulse_monitor_polls_total[5m]))')).toEqual([
      'probe: metric pulse_monitor_polls_total is not in the catalogue',
    ]);
    expect(checkExpr('probe', 'max by (instance_type) (pulse_scheduler_targets{instance="x"})')).toEqual([
      'probe: pulse_scheduler_targets has no label instance (catalogue: instance_type)',
    ]);
    expect(checkExpr('probe', 'sum by (le, target) (rate(pulse_scheduler_queue_wait_seconds_bucket[5m]))')).toEqual([
      'probe: label target is not in the catalogue',
    ]);
    expect(checkExpr('probe', 'histogram_quantile(0.9, rate(pulse_scheduler_targets_bucket[5m]))')).toEqual([
      'probe: metric pulse_scheduler_targets_bucket is not in the catalogue',
    ]);
  });
});
