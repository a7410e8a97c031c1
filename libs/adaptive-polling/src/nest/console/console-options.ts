/** `AdaptivePollingConsoleModule.forRoot()` options. */
export interface AdaptivePollingConsoleOptions {
  /** Where the console is served (default `/admin/polling`). */
  path?: string;
  /** How long a sign-in lasts (default 12 hours). */
  sessionTtlMs?: number;
  /** How far back the target page charts (default 6 hours). */
  historyWindowMs?: number;
}

export const DEFAULT_CONSOLE_PATH = '/admin/polling';
export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;
export const DEFAULT_HISTORY_WINDOW_MS = 6 * 3_600_000;

export interface ResolvedConsoleOptions {
  path: string;
  sessionTtlMs: number;
  historyWindowMs: number;
}

export function resolveConsoleOptions(options: AdaptivePollingConsoleOptions): ResolvedConsoleOptions {
  const raw = options.path ?? DEFAULT_CONSOLE_PATH;
  const path = `/${raw.replace(/^\/+|\/+$/g, '')}`;
  return {
    path: path === '/' ? '' : path,
    sessionTtlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    historyWindowMs: options.historyWindowMs ?? DEFAULT_HISTORY_WINDOW_MS,
  };
}
