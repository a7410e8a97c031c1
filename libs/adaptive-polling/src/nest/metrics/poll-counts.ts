import type { Counter, Gauge } from 'prom-client';
import { POLL_RESULTS } from './metric-labels';

type TargetLabels = { instance_type: string; instance: string };
type Result = (typeof POLL_RESULTS)[number];

interface PendingTotals {
  labels: TargetLabels;
  success: number;
  error: number;
}

/**
 * What the poll listeners count between two reads of the metrics: polls
 * finished (per label set) and polls in flight (per type). A poll then costs
 * two Map updates instead of three prom-client calls (each of which hashes
 * and validates its labels); `flush` writes the counts into the metrics and
 * runs as their `collect`, so every read (scrape, `get()`) sees them all.
 */
export class PollCounts {
  private readonly totals = new Map<string, PendingTotals>();
  /** Polls running in this process: target key -> type label. */
  private readonly running = new Map<string, string>();
  private readonly inflight = new Map<string, number>();

  /** Makes the type's in-flight series exist (at 0). */
  knowType(typeLabel: string): void {
    if (!this.inflight.has(typeLabel)) this.inflight.set(typeLabel, 0);
  }

  started(key: string, typeLabel: string): void {
    if (this.running.has(key)) return;
    this.running.set(key, typeLabel);
    this.inflight.set(typeLabel, (this.inflight.get(typeLabel) ?? 0) + 1);
  }

  ended(key: string): void {
    const typeLabel = this.running.get(key);
    if (typeLabel === undefined) return;
    this.running.delete(key);
    this.inflight.set(typeLabel, Math.max(0, (this.inflight.get(typeLabel) ?? 0) - 1));
  }

  /** `series` names the label set (its labels are made only the first time). */
  finished(series: string, labels: () => TargetLabels, result: Result): void {
    let pending = this.totals.get(series);
    if (!pending) {
      pending = { labels: labels(), success: 0, error: 0 };
      this.totals.set(series, pending);
    }
    pending[result]++;
  }

  /** Drops a label set whose series are being removed. */
  forget(series: string): void {
    this.totals.delete(series);
  }

  flush(pollTotal: Counter<string>, pollInflight: Gauge<string>): void {
    for (const pending of this.totals.values()) {
      for (const result of POLL_RESULTS) {
        if (pending[result] > 0) pollTotal.inc({ ...pending.labels, result }, pending[result]);
        pending[result] = 0;
      }
    }
    for (const [instance_type, count] of this.inflight) pollInflight.set({ instance_type }, count);
  }
}
