import { PollingOptionsError } from '../../core/errors';
import type { OptionProblem } from '../../core/types';
import { tokenProblem } from '../token-rules';
import { DEFAULT_ANSWER_TIMEOUT_MS } from '../answer-bound';
import { DEFAULT_PER_TARGET_LABEL_LIMIT } from './label-cardinality';
import { DEFAULT_METRICS_PREFIX } from './metric-definitions';
import {
  METRICS_BOOLEAN,
  METRICS_PREFIX_INVALID,
  STANDALONE_HOST,
  STANDALONE_PORT,
  STANDALONE_SHAPE,
  metricsOptionsSummary,
} from './metrics-messages';
import {
  DEFAULT_STANDALONE_METRICS_HOST,
  DEFAULT_STANDALONE_METRICS_PORT,
  type AdaptivePollingMetricsOptions,
  type ResolvedMetricsOptions,
} from './metrics-options';

const PREFIX_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fills in defaults and lists every problem at once (never echoes the token). */
export function resolveMetricsOptions(options: AdaptivePollingMetricsOptions | undefined): ResolvedMetricsOptions {
  const metrics: AdaptivePollingMetricsOptions = options ?? {};
  const problems: OptionProblem[] = [];

  const prefix = metrics.prefix ?? DEFAULT_METRICS_PREFIX;
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    problems.push({ field: 'metrics.prefix', message: METRICS_PREFIX_INVALID });
  }
  const perTargetLabels = metrics.perTargetLabels ?? 'auto';
  if (typeof perTargetLabels !== 'boolean' && perTargetLabels !== 'auto') {
    problems.push({ field: 'metrics.perTargetLabels', message: METRICS_BOOLEAN });
  }
  const perTargetLabelLimit = metrics.perTargetLabelLimit ?? DEFAULT_PER_TARGET_LABEL_LIMIT;
  if (typeof perTargetLabelLimit !== 'number' || !Number.isInteger(perTargetLabelLimit) || perTargetLabelLimit < 0) {
    problems.push({ field: 'metrics.perTargetLabelLimit', message: 'must be a whole number >= 0' });
  }

  const scrapeTimeoutMs = metrics.scrapeTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  if (typeof scrapeTimeoutMs !== 'number' || !Number.isInteger(scrapeTimeoutMs) || scrapeTimeoutMs < 1) {
    problems.push({ field: 'metrics.scrapeTimeoutMs', message: 'must be a whole number >= 1' });
  }

  let standalone: ResolvedMetricsOptions['standalone'] = null;
  const raw = metrics.standalone ?? false;
  if (raw === true || isPlainObject(raw)) {
    const given = raw === true ? {} : raw;
    const port = given.port ?? DEFAULT_STANDALONE_METRICS_PORT;
    const host = given.host ?? DEFAULT_STANDALONE_METRICS_HOST;
    const token = given.token ?? null;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      problems.push({ field: 'metrics.standalone.port', message: STANDALONE_PORT });
    }
    if (typeof host !== 'string' || host.trim() === '') {
      problems.push({ field: 'metrics.standalone.host', message: STANDALONE_HOST });
    }
    const problem = token === null ? null : tokenProblem(token);
    if (problem) problems.push({ field: 'metrics.standalone.token', message: problem });
    standalone = { port: port as number, host: host as string, token: token as string | null };
  } else if (raw !== false) {
    problems.push({ field: 'metrics.standalone', message: STANDALONE_SHAPE });
  }

  if (problems.length > 0) {
    throw new PollingOptionsError(problems, metricsOptionsSummary(problems.map((p) => `${p.field}: ${p.message}`)));
  }
  return { prefix, perTargetLabels, perTargetLabelLimit, scrapeTimeoutMs, standalone };
}
