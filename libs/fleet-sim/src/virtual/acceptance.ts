import type { FleetTarget } from '../fleet-file';
import type { BodyMode } from './result-hash';
import { percentile, runLabel, type PolicyRun, type TargetRun } from './simulate';

/**
 * The figures behind the simulator acceptance lines of the core issue,
 * computed from runs of `fixed`, `pulse` and `change-aware` over one fleet:
 *
 * 1. change-aware uses at most 30 % of the polls of fixed 10 s;
 * 2. its p95 change-detection latency on busy targets is at most 2x min;
 * 3. on busy targets its p95 detection is at least 5x lower than pulse's;
 * 4. on quiet targets it uses no more polls than pulse;
 * 5. an unauthorized target costs 1 poll per 30 min;
 * 6. a down target costs at most 3 polls per hour once parked;
 * 7. with the whole body hashed instead of the change signal (a run labelled
 *    `change-aware (whole-body)`), every poll counts as a change and
 *    change-aware polls every target at its busy rate: the failure mode a
 *    change signal avoids.
 *
 * Target classes come from the fleet file, not from names: "plain" targets
 * (no failures, no down windows, not unauthorized, no hang) changing at
 * least every 15 s are busy; plain ones changing hourly or less often (or
 * never) are quiet.
 */

export type TargetClass = 'busy' | 'normal' | 'quiet' | 'flaky' | 'down' | 'unauthorized' | 'hang';

export const BUSY_MAX_CHANGE_SECONDS = 15;
export const QUIET_MIN_CHANGE_SECONDS = 3600;

export function classifyTarget(target: FleetTarget): TargetClass {
  if (target.hang) return 'hang';
  if (target.down === 'always' || target.down.length > 0) return 'down';
  if (target.unauthorized) return 'unauthorized';
  if (target.failureRate > 0) return 'flaky';
  const t = target.changeEverySeconds;
  if (t === null || t >= QUIET_MIN_CHANGE_SECONDS) return 'quiet';
  if (t <= BUSY_MAX_CHANGE_SECONDS) return 'busy';
  return 'normal';
}

export interface DownFigure {
  target: string;
  /** Polls while down after the first parking, per hour of that span. */
  pollsPerHour: number;
  /** Most polls in any one-hour window of that span. */
  maxPollsInAnyHour: number;
  /** Length of the span measured (hours). */
  hours: number;
}

export interface UnauthorizedFigure {
  target: string;
  polls: number;
  /** Run length / 30 min: the polls "1 per 30 min" allows, plus the first. */
  allowedPolls: number;
  /** Shortest time between two polls (minutes); null with fewer than two polls. */
  minGapMinutes: number | null;
}

export interface WholeBodyFigure {
  polls: number;
  /** whole-body change-aware polls / fixed polls. */
  pollShare: number;
  /** Quiet targets: polls per target and hour, with the whole body and with the change signal. */
  quietPollsPerTargetHour: { wholeBody: number; signal: number };
  /** Quiet targets: share of the successful polls (after each target's first) the core saw as a change. */
  quietChangedShare: { wholeBody: number; signal: number };
}

export interface AcceptanceFigures {
  /** What the runs' polls hashed (`signal`: realistic bodies through the ready-made change signal). */
  bodies: BodyMode;
  minIntervalSeconds: number;
  fixedPolls: number;
  pulsePolls: number;
  changeAwarePolls: number;
  /** change-aware polls / fixed polls. */
  pollShare: number;
  /** p95 detection latency over every busy target's detections (seconds). */
  busyP95Seconds: { changeAware: number | null; pulse: number | null };
  /** Worst p95 of one busy entry (change-aware). */
  worstBusyEntryP95Seconds: number | null;
  /** pulse busy p95 / change-aware busy p95. */
  busyP95Ratio: number | null;
  /** Polls on quiet targets, per quiet entry and in total. */
  quietPolls: { entry: string; changeAware: number; pulse: number }[];
  quietPollsTotal: { changeAware: number; pulse: number };
  unauthorized: UnauthorizedFigure[];
  down: DownFigure[];
  /** Null when the runs hold no `change-aware (whole-body)` run. */
  wholeBody: WholeBodyFigure | null;
}

function pooledP95Seconds(runs: TargetRun[]): number | null {
  const all = runs.flatMap((r) => r.detectionsMs).sort((a, b) => a - b);
  const p = percentile(all, 95);
  return p === null ? null : p / 1000;
}

function downFigures(run: TargetRun, endMs: number): DownFigure | null {
  const { target } = run;
  const windows =
    target.down === 'always'
      ? [{ fromMs: 0, toMs: endMs }]
      : target.down.map((w) => ({ fromMs: w.fromSeconds * 1000, toMs: Math.min(endMs, w.toSeconds * 1000) }));
  let polls = 0;
  let spanMs = 0;
  let maxInHour = 0;
  for (const w of windows) {
    const parkedAt = run.parkedAtMs.find((t) => t >= w.fromMs && t < w.toMs);
    if (parkedAt === undefined) continue;
    // Polls that start after the parking and while the target is still down.
    const times = run.pollTimesMs.filter((t) => t > parkedAt && t < w.toMs);
    polls += times.length;
    spanMs += w.toMs - parkedAt;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 3_600_000) j++;
      maxInHour = Math.max(maxInHour, i - j + 1);
    }
  }
  if (spanMs === 0) return null;
  const hours = spanMs / 3_600_000;
  return { target: target.name, pollsPerHour: polls / hours, maxPollsInAnyHour: maxInHour, hours };
}

function quietFigures(run: PolicyRun): { perTargetHour: number; changedShare: number } {
  const quiet = run.targets.filter((t) => classifyTarget(t.target) === 'quiet');
  const polls = quiet.reduce((s, t) => s + t.pollTimesMs.length, 0);
  // A target's first success has nothing to compare with: it is neither a change nor not.
  const compared = quiet.reduce((s, t) => s + Math.max(0, t.pollTimesMs.length - t.failedPolls - 1), 0);
  const changed = quiet.reduce((s, t) => s + t.changedPolls, 0);
  return {
    perTargetHour: quiet.length === 0 ? 0 : polls / quiet.length / run.hours,
    changedShare: compared === 0 ? 0 : changed / compared,
  };
}

/**
 * Computes the acceptance figures; `runs` must hold fixed, pulse and change-aware over
 * the same fleet and hours (with the default body mode), and may hold
 * `change-aware (whole-body)`.
 */
export function acceptanceFigures(runs: readonly PolicyRun[]): AcceptanceFigures {
  const byPolicy = (name: string) => {
    const run = runs.find((r) => r.policy === name && r.bodies !== 'whole-body');
    if (!run) throw new Error(`acceptance figures need a run of policy "${name}"`);
    return run;
  };
  const fixed = byPolicy('fixed');
  const pulse = byPolicy('pulse');
  const aware = byPolicy('change-aware');
  const endMs = aware.hours * 3_600_000;
  const whole = runs.find((r) => r.label === runLabel('change-aware', 'whole-body'));
  const ofClass = (run: PolicyRun, cls: TargetClass) => run.targets.filter((t) => classifyTarget(t.target) === cls);

  const busyAware = ofClass(aware, 'busy');
  const busyPulse = ofClass(pulse, 'busy');
  const busyP95Aware = pooledP95Seconds(busyAware);
  const busyP95Pulse = pooledP95Seconds(busyPulse);
  const busyEntries = [...new Set(busyAware.map((t) => t.target.entry))];
  const entryP95s = busyEntries
    .map((entry) => pooledP95Seconds(busyAware.filter((t) => t.target.entry === entry)))
    .filter((x): x is number => x !== null);

  const quietEntries = [...new Set(ofClass(aware, 'quiet').map((t) => t.target.entry))];
  const pollsOf = (run: PolicyRun, entry: string) =>
    run.targets.filter((t) => t.target.entry === entry).reduce((s, t) => s + t.pollTimesMs.length, 0);
  const quietPolls = quietEntries.map((entry) => ({ entry, changeAware: pollsOf(aware, entry), pulse: pollsOf(pulse, entry) }));

  const unauthorized = ofClass(aware, 'unauthorized').map((run): UnauthorizedFigure => {
    const gaps = run.pollTimesMs.slice(1).map((t, i) => t - run.pollTimesMs[i]);
    return {
      target: run.target.name,
      polls: run.pollTimesMs.length,
      allowedPolls: Math.floor(endMs / 1_800_000) + 1,
      minGapMinutes: gaps.length === 0 ? null : Math.min(...gaps) / 60_000,
    };
  });

  const down = ofClass(aware, 'down')
    .map((run) => downFigures(run, endMs))
    .filter((x): x is DownFigure => x !== null);

  return {
    bodies: aware.bodies,
    minIntervalSeconds: aware.options.intervals.minMs / 1000,
    fixedPolls: fixed.polls,
    pulsePolls: pulse.polls,
    changeAwarePolls: aware.polls,
    pollShare: aware.polls / fixed.polls,
    busyP95Seconds: { changeAware: busyP95Aware, pulse: busyP95Pulse },
    worstBusyEntryP95Seconds: entryP95s.length === 0 ? null : Math.max(...entryP95s),
    busyP95Ratio: busyP95Aware === null || busyP95Pulse === null || busyP95Aware === 0 ? null : busyP95Pulse / busyP95Aware,
    quietPolls,
    quietPollsTotal: {
      changeAware: quietPolls.reduce((s, q) => s + q.changeAware, 0),
      pulse: quietPolls.reduce((s, q) => s + q.pulse, 0),
    },
    unauthorized,
    down,
    wholeBody: whole === undefined ? null : wholeBodyFigure(whole, aware, fixed),
  };
}

function wholeBodyFigure(whole: PolicyRun, aware: PolicyRun, fixed: PolicyRun): WholeBodyFigure {
  const w = quietFigures(whole);
  const a = quietFigures(aware);
  return {
    polls: whole.polls,
    pollShare: whole.polls / fixed.polls,
    quietPollsPerTargetHour: { wholeBody: w.perTargetHour, signal: a.perTargetHour },
    quietChangedShare: { wholeBody: w.changedShare, signal: a.changedShare },
  };
}

/** The acceptance lines with their measured figures, as text (`npm run simulate -- ... --acceptance`). */
export function formatAcceptance(f: AcceptanceFigures): string {
  const ok = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const s = (x: number | null, digits = 1) => (x === null ? 'n/a' : x.toFixed(digits));
  const goal = 2 * f.minIntervalSeconds;
  const lines: string[] = [`acceptance (change-aware vs fixed 10 s and pulse; bodies: ${f.bodies})`];
  lines.push(
    `  ${ok(f.pollShare <= 0.3)}  polls: ${f.changeAwarePolls.toLocaleString('en-US')} = ${(100 * f.pollShare).toFixed(1)} % of fixed's ${f.fixedPolls.toLocaleString('en-US')} (limit 30 %)`,
  );
  const p95 = f.busyP95Seconds.changeAware;
  lines.push(
    `  ${ok(p95 !== null && p95 <= goal && (f.worstBusyEntryP95Seconds ?? Infinity) <= goal)}  busy p95 detection: ${s(p95, 2)} s over all busy targets, worst busy entry ${s(f.worstBusyEntryP95Seconds, 2)} s (limit 2 x min = ${goal} s)`,
  );
  lines.push(
    `  ${ok(f.busyP95Ratio !== null && f.busyP95Ratio >= 5)}  busy p95 vs pulse: pulse ${s(f.busyP95Seconds.pulse, 1)} s / change-aware ${s(p95, 2)} s = ${s(f.busyP95Ratio, 1)}x lower (at least 5x)`,
  );
  const quietOk = f.quietPolls.every((q) => q.changeAware <= q.pulse);
  lines.push(
    `  ${ok(quietOk)}  quiet polls: change-aware ${f.quietPollsTotal.changeAware.toLocaleString('en-US')} vs pulse ${f.quietPollsTotal.pulse.toLocaleString('en-US')} (${f.quietPolls.map((q) => `${q.entry} ${q.changeAware} vs ${q.pulse}`).join(', ')})`,
  );
  for (const u of f.unauthorized) {
    lines.push(
      `  ${ok(u.polls <= u.allowedPolls && (u.minGapMinutes === null || u.minGapMinutes >= 30))}  unauthorized ${u.target}: ${u.polls} polls (1 per 30 min allows ${u.allowedPolls}), shortest gap ${s(u.minGapMinutes, 1)} min`,
    );
  }
  for (const d of f.down) {
    lines.push(
      `  ${ok(d.pollsPerHour <= 3 && d.maxPollsInAnyHour <= 3)}  down ${d.target}: ${d.pollsPerHour.toFixed(2)} polls/h once parked (over ${d.hours.toFixed(1)} h), at most ${d.maxPollsInAnyHour} in any hour (limit 3)`,
    );
  }
  const w = f.wholeBody;
  if (w !== null) {
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    lines.push(
      `  ${ok(w.pollShare > 0.3 && w.quietChangedShare.wholeBody > 0.99)}  whole body hashed (no change signal) shows the failure mode: ${w.polls.toLocaleString('en-US')} polls = ${pct(w.pollShare)} of fixed; quiet targets: ${pct(w.quietChangedShare.wholeBody)} of polls counted as a change (change signal: ${pct(w.quietChangedShare.signal)}), ${w.quietPollsPerTargetHour.wholeBody.toFixed(1)} polls/target/h (change signal: ${w.quietPollsPerTargetHour.signal.toFixed(1)})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
