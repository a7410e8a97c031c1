import type { TargetStateSummary } from './monitoring-actions.types';
import type { SafeConnection } from './scheduler-health.types';

/** A target as the management routes show it: connection and metadata without their secrets. */
export interface TargetView {
  /** The target key `type::name`. */
  instance: string;
  name: string;
  type: string;
  displayName: string;
  /** Secret-looking fields left out, credentials in strings masked (connection secrets are write-only). */
  connection: SafeConnection;
  metadata: SafeConnection;
  fixedIntervalMs: number | null;
  paused: boolean;
}

/** One target with its schedule and shared state (`GET /targets/:instance`). */
export interface TargetDetailView extends TargetView {
  /** False between a Redis flush and the rebuild of its job. */
  scheduled: boolean;
  /** A poll of it is running now. */
  running: boolean;
  /** Interval chosen after its last poll (ms), null before the first. */
  intervalMs: number | null;
  /** Null before its first run. */
  state: TargetStateSummary | null;
}

/** `GET /targets`: one page of the key-sorted list. */
export interface TargetPage {
  /** Targets matching the filter (all pages). */
  total: number;
  offset: number;
  limit: number;
  items: TargetView[];
}

/** Why a poll-now request did not promote the target's job. */
export type PollNowSkipReason = 'paused' | 'running' | 'already_due' | 'not_scheduled';

/** `POST /targets/:instance/poll` (HTTP 202): the poll was asked; it runs as soon as a worker is free. */
export interface PollNowResult {
  action: 'target.poll';
  instance: string;
  actor: string;
  at: string;
  /** True: the job was made due now. False: see `reason` (a running poll is not run twice, a paused target not at all). */
  triggered: boolean;
  reason: PollNowSkipReason | null;
}
