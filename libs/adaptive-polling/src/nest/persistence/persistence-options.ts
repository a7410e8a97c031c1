import { POSTGRES_URL_KIND, checkPositiveNumber, collectProblems, configurationError, urlProblem } from '../../core/config-checks';
import type { OptionProblem } from '../../core/types';

/** Where what must outlive Redis is kept (dead letters, audit trail, run-time targets, rollups). */
export interface AdaptivePollingPersistenceOptions {
  /** PostgreSQL URL (e.g. from DATABASE_URL); when absent, SQLite at `sqlitePath`. */
  url?: string;
  /** SQLite file (default `./data/adaptive-polling.sqlite`); its folder is created. */
  sqlitePath?: string;
  /** PostgreSQL schema for the tables (default: the connection's search_path, usually `public`). */
  schema?: string;
  /** Buffered writes are flushed this often, ms (default 1000). */
  flushIntervalMs?: number;
  /** ...or as soon as this many are waiting (default 100); also the most written in one transaction. */
  batchSize?: number;
  /**
   * Most audit records kept in memory while the database is unreachable
   * (default 10000). When full, the oldest buffered audit record is dropped
   * (counted in `droppedWrites` and logged). Dead-letter and target writes
   * are coalesced per target (latest wins), so they never overflow.
   */
  maxBufferedRecords?: number;
  /** First retry delay after a failed write, ms (default 1000); doubles up to `retryMaxDelayMs`. */
  retryInitialDelayMs?: number;
  /** Longest delay between retries, ms (default 30000). */
  retryMaxDelayMs?: number;
  /** While idle, the database is checked this often so an outage shows in health, ms (default 5000). */
  probeIntervalMs?: number;
  /**
   * How long start-up waits for the database, ms (default 15000). After
   * that the app starts anyway (polling does not need the database) and the
   * connection is retried in the background.
   */
  connectTimeoutMs?: number;
  /**
   * SQLite only: how long a write waits for another connection's lock, ms
   * (default 200). better-sqlite3 is synchronous, so this wait blocks the
   * event loop (and polling): keep it short, the writer retries anyway.
   */
  sqliteBusyTimeoutMs?: number;
}

export const DEFAULT_SQLITE_PATH = './data/adaptive-polling.sqlite';

/** Persistence options with every default filled in. */
export interface ResolvedPersistenceOptions {
  url: string | null;
  sqlitePath: string;
  schema: string | null;
  flushIntervalMs: number;
  batchSize: number;
  maxBufferedRecords: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  probeIntervalMs: number;
  connectTimeoutMs: number;
  sqliteBusyTimeoutMs: number;
}

const NUMBER_DEFAULTS = {
  flushIntervalMs: 1_000,
  batchSize: 100,
  maxBufferedRecords: 10_000,
  retryInitialDelayMs: 1_000,
  retryMaxDelayMs: 30_000,
  probeIntervalMs: 5_000,
  connectTimeoutMs: 15_000,
  sqliteBusyTimeoutMs: 200,
} as const;

/**
 * Fills in defaults and checks every option, the URL included, before any
 * connection: a malformed URL or another scheme than PostgreSQL's is a
 * configuration error (one PollingOptionsError listing every problem),
 * never an outage to wait out.
 */
export function resolvePersistenceOptions(options: AdaptivePollingPersistenceOptions): ResolvedPersistenceOptions {
  const problems: OptionProblem[] = [];
  if (options.url !== undefined && options.url !== null && typeof options.url !== 'string') {
    problems.push({ field: 'persistence.url', message: 'must be a string' });
  }
  const url = typeof options.url === 'string' && options.url.trim() ? options.url.trim() : null;
  const urlIssue = url === null ? null : urlProblem(url, 'persistence.url', POSTGRES_URL_KIND);
  if (urlIssue) problems.push(urlIssue);
  if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
    problems.push({ field: 'persistence.schema', message: 'must be a plain SQL identifier (letters, digits, "_")' });
  }
  const given: Partial<Record<keyof typeof NUMBER_DEFAULTS, unknown>> = options;
  for (const field of Object.keys(NUMBER_DEFAULTS) as Array<keyof typeof NUMBER_DEFAULTS>) {
    checkPositiveNumber(given[field], `persistence.${field}`, problems);
  }
  if (problems.length > 0) throw configurationError(problems);
  const number = (field: keyof typeof NUMBER_DEFAULTS) => options[field] ?? NUMBER_DEFAULTS[field];
  return {
    url,
    sqlitePath: options.sqlitePath?.trim() ? options.sqlitePath : DEFAULT_SQLITE_PATH,
    schema: options.schema ?? null,
    flushIntervalMs: number('flushIntervalMs'),
    batchSize: Math.floor(number('batchSize')),
    maxBufferedRecords: Math.floor(number('maxBufferedRecords')),
    retryInitialDelayMs: number('retryInitialDelayMs'),
    retryMaxDelayMs: number('retryMaxDelayMs'),
    probeIntervalMs: number('probeIntervalMs'),
    connectTimeoutMs: number('connectTimeoutMs'),
    sqliteBusyTimeoutMs: number('sqliteBusyTimeoutMs'),
  };
}

/** Every problem of the persistence options, without connecting (empty when they are fine). */
export function validatePersistenceOptions(options: AdaptivePollingPersistenceOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  collectProblems(() => resolvePersistenceOptions(options), problems);
  return problems;
}
