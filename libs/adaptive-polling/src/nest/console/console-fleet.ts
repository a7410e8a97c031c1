import { TARGET_STATUSES, targetStatusOf, type TargetStatus } from '../../core/target-status';
import type { InstanceHealth } from '../api/scheduler-health.types';

/** The state a fleet row shows, most urgent first when several apply (the core's rule). */
export type ConsoleState = TargetStatus;
export const CONSOLE_STATES: readonly ConsoleState[] = TARGET_STATUSES;

/** One row of the fleet page (and of the live updates): secret-free, times as ISO strings. */
export interface FleetRow {
  key: string;
  type: string;
  name: string;
  displayName: string;
  state: ConsoleState;
  intervalMs: number | null;
  nextRun: string | null;
  lastSuccess: string | null;
  /** 0 (fresh) to 1 (stale or never succeeded). */
  staleness: number;
  /** Redacted. */
  lastError: string | null;
  running: boolean;
}

export interface FleetQuery {
  type: string | null;
  state: ConsoleState | null;
  /** Case-insensitive part of the name or display name. */
  search: string | null;
  offset: number;
  limit: number;
}

export interface FleetSummary {
  total: number;
  states: Record<ConsoleState, number>;
  types: string[];
}

export interface FleetPage {
  summary: FleetSummary;
  /** Rows matching the query (all pages). */
  matching: number;
  offset: number;
  limit: number;
  rows: FleetRow[];
}

export const FLEET_PAGE_LIMIT = 100;
export const MAX_FLEET_PAGE_LIMIT = 500;

export function consoleState(instance: InstanceHealth): ConsoleState {
  return targetStatusOf(instance.paused, {
    deadLetter: instance.deadLetter.present ? instance.deadLetter : null,
    breaker: instance.breaker,
    consecutiveFailures: instance.pollStatus.consecutiveFailures,
  });
}

export function fleetRow(instance: InstanceHealth): FleetRow {
  return {
    key: instance.key,
    type: instance.type,
    name: instance.instance,
    displayName: instance.displayName,
    state: consoleState(instance),
    intervalMs: instance.currentIntervalMs,
    nextRun: instance.paused ? null : instance.nextRun,
    lastSuccess: instance.pollStatus.lastSuccess,
    staleness: Math.round(instance.pollStatus.stalenessScore * 100) / 100,
    lastError: instance.pollStatus.lastError?.message ?? instance.deadLetter.lastError,
    running: instance.running,
  };
}

/**
 * What makes a row "changed" for the live updates: everything but the
 * staleness score, which grows with the clock (the page ages it itself).
 */
export function rowSignature(row: FleetRow): string {
  return JSON.stringify([row.state, row.intervalMs, row.nextRun, row.lastSuccess, row.lastError, row.running, row.displayName]);
}

export function summarize(rows: readonly FleetRow[]): FleetSummary {
  const states = Object.fromEntries(CONSOLE_STATES.map((s) => [s, 0])) as Record<ConsoleState, number>;
  const types = new Set<string>();
  for (const row of rows) {
    states[row.state]++;
    types.add(row.type);
  }
  return { total: rows.length, states, types: [...types].sort() };
}

/** One page of the key-sorted rows that match the query; the summary covers the whole fleet. */
export function fleetPage(rows: readonly FleetRow[], query: FleetQuery, summary: FleetSummary = summarize(rows)): FleetPage {
  const needle = query.search?.toLowerCase() ?? null;
  const filtering = query.type !== null || query.state !== null || needle !== null;
  const matching = filtering
    ? rows.filter(
        (row) =>
          (query.type === null || row.type === query.type) &&
          (query.state === null || row.state === query.state) &&
          (needle === null || row.name.toLowerCase().includes(needle) || row.displayName.toLowerCase().includes(needle)),
      )
    : rows;
  return {
    summary,
    matching: matching.length,
    offset: query.offset,
    limit: query.limit,
    rows: matching.slice(query.offset, query.offset + query.limit),
  };
}

const WHOLE = /^\d{1,9}$/;

/** The fleet query from URL parameters; anything unreadable falls back to its default. */
export function fleetQueryOf(params: URLSearchParams): FleetQuery {
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? value.slice(0, 200) : null;
  };
  const number = (name: string, fallback: number, max: number) => {
    const raw = params.get(name);
    return raw !== null && WHOLE.test(raw) ? Math.min(Number(raw), max) : fallback;
  };
  const state = text('state');
  return {
    type: text('type'),
    state: state !== null && (CONSOLE_STATES as readonly string[]).includes(state) ? (state as ConsoleState) : null,
    search: text('q'),
    offset: number('offset', 0, Number.MAX_SAFE_INTEGER),
    limit: Math.max(1, number('limit', FLEET_PAGE_LIMIT, MAX_FLEET_PAGE_LIMIT)),
  };
}
