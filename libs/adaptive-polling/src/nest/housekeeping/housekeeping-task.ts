/** A periodic job that must run on one replica at a time (e.g. the janitor). */
export interface HousekeepingTask {
  /** Also names its Redis lock; unique per app. */
  name: string;
  /** Period, ms: across all replicas the task runs about once per period. */
  intervalMs: number;
  /** Returns counts worth reporting (e.g. `{ removed: 3 }`). */
  run(): Promise<Record<string, number> | void>;
}

/** What one attempt to run a task did. */
export type HousekeepingOutcome =
  /** This replica held the lock and ran the task. */
  | 'ran'
  /** Another replica holds the lock right now. */
  | 'locked'
  /** Another replica ran it less than one period ago. */
  | 'recent'
  /** It ran and threw (logged). */
  | 'failed'
  /** The engine is not running (start-up or shutdown). */
  | 'not_running';

export interface HousekeepingRunEvent {
  task: string;
  outcome: HousekeepingOutcome;
  durationMs: number;
  result: Record<string, number> | null;
  error: string | null;
}
