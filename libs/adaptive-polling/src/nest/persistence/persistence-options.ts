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

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`persistence.${field} must be a positive number (got ${String(value)})`);
  }
  return value;
}

export function resolvePersistenceOptions(options: AdaptivePollingPersistenceOptions): ResolvedPersistenceOptions {
  const url = options.url?.trim() ? options.url.trim() : null;
  if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
    throw new TypeError('persistence.schema must be a plain SQL identifier (letters, digits, "_")');
  }
  return {
    url,
    sqlitePath: options.sqlitePath?.trim() ? options.sqlitePath : DEFAULT_SQLITE_PATH,
    schema: options.schema ?? null,
    flushIntervalMs: positive(options.flushIntervalMs, 1_000, 'flushIntervalMs'),
    batchSize: Math.floor(positive(options.batchSize, 100, 'batchSize')),
    maxBufferedRecords: Math.floor(positive(options.maxBufferedRecords, 10_000, 'maxBufferedRecords')),
    retryInitialDelayMs: positive(options.retryInitialDelayMs, 1_000, 'retryInitialDelayMs'),
    retryMaxDelayMs: positive(options.retryMaxDelayMs, 30_000, 'retryMaxDelayMs'),
    probeIntervalMs: positive(options.probeIntervalMs, 5_000, 'probeIntervalMs'),
    connectTimeoutMs: positive(options.connectTimeoutMs, 15_000, 'connectTimeoutMs'),
    sqliteBusyTimeoutMs: positive(options.sqliteBusyTimeoutMs, 200, 'sqliteBusyTimeoutMs'),
  };
}
