import type { FleetTarget } from './fleet-file';
import { derivedStream, uniformAt, type Random } from './rng';

/**
 * The behaviour model of one simulated target, shared by the virtual-time
 * simulator and the HTTP fleet simulator so both agree on what a target does
 * at a given time.
 *
 * Everything is a pure function of (target, seed, time since simulator
 * start). The change times are generated lazily from the target's own seeded
 * stream and memoised in the instance, which does not change the answers.
 *
 * Change process: the gaps between data changes are independent and uniform
 * on [0.5 T, 1.5 T], T = `changeEverySeconds` (mean T). With T = 10 s that is
 * exactly the "changes every 5-15 s" of a busy target; for every entry the
 * gap stays within +-50 % of its mean, so an entry's change rate is what its
 * file says at every time scale (no bursts or long droughts as with an
 * exponential gap). The first change comes after a uniformly random fraction
 * of one such gap (a random phase), so the targets of one entry do not
 * change in lockstep.
 *
 * At a poll arriving at time t (ms since start), in this order:
 * 1. down at t (inside a window [from, to), or `down: true`): the connection
 *    is refused / dropped;
 * 2. `hang`: no answer ever;
 * 3. `unauthorized`: 401 after `latencyMs`;
 * 4. a draw at `failureRate` (keyed by target and t): 503 after `latencyMs`;
 * 5. otherwise 200 with the data as of t + `latencyMs` (the answer is built
 *    when it is sent).
 */

/** The data a target serves; a pure function of its version. */
export interface TargetData {
  target: string;
  type: string;
  /** Number of data changes so far (0 = the initial data). */
  version: number;
  /** When this version appeared, seconds since simulator start (0 for the initial data). */
  changedAtSeconds: number;
  /** A pseudo measurement that differs between versions. */
  value: number;
}

export type BehaviourAnswer =
  /** Down: the connection is refused (virtual) or dropped (HTTP). */
  | { kind: 'refused' }
  /** No answer until the client gives up. */
  | { kind: 'hang' }
  /** 401 after latencyMs. */
  | { kind: 'unauthorized'; latencyMs: number }
  /** 503 after latencyMs. */
  | { kind: 'unavailable'; latencyMs: number }
  /** 200 after latencyMs; read the data with `dataAt(atMs + latencyMs)`. */
  | { kind: 'ok'; latencyMs: number };

/** Lower and upper bound of a change gap, as fractions of the mean. */
export const CHANGE_GAP_MIN_FACTOR = 0.5;
export const CHANGE_GAP_MAX_FACTOR = 1.5;

export class TargetBehaviour {
  private readonly changeRandom: Random;
  /** Change times (ms since start), ascending, generated up to `generatedUntilMs`. */
  private readonly changeTimesMs: number[] = [];
  private nextChangeMs: number;
  private readonly meanGapMs: number | null;

  constructor(
    readonly target: FleetTarget,
    readonly seed: number,
  ) {
    this.changeRandom = derivedStream(seed, target.name, 'changes');
    this.meanGapMs = target.changeEverySeconds === null ? null : target.changeEverySeconds * 1000;
    this.nextChangeMs = this.meanGapMs === null ? Infinity : this.changeRandom() * this.drawGapMs();
  }

  private drawGapMs(): number {
    const mean = this.meanGapMs as number;
    return mean * (CHANGE_GAP_MIN_FACTOR + (CHANGE_GAP_MAX_FACTOR - CHANGE_GAP_MIN_FACTOR) * this.changeRandom());
  }

  /** Generates change times up to and including `atMs`. */
  private generateUntil(atMs: number): void {
    while (this.nextChangeMs <= atMs) {
      this.changeTimesMs.push(this.nextChangeMs);
      this.nextChangeMs += this.drawGapMs();
    }
  }

  /** Times of the data changes in [0, untilMs), ms since start, ascending. */
  changeTimesUntil(untilMs: number): number[] {
    this.generateUntil(untilMs);
    const end = upperBound(this.changeTimesMs, untilMs, true);
    return this.changeTimesMs.slice(0, end);
  }

  /** The data version at `atMs`: the number of changes at or before it. */
  versionAt(atMs: number): number {
    if (this.meanGapMs === null || atMs < 0) return 0;
    this.generateUntil(atMs);
    return upperBound(this.changeTimesMs, atMs, false);
  }

  /** The data served at `atMs`. */
  dataAt(atMs: number): TargetData {
    const version = this.versionAt(atMs);
    const changedAtMs = version === 0 ? 0 : this.changeTimesMs[version - 1];
    return {
      target: this.target.name,
      type: this.target.type,
      version,
      changedAtSeconds: Math.round(changedAtMs) / 1000,
      value: Math.floor(uniformAt(this.seed, this.target.name, 'value', version) * 10000) / 100,
    };
  }

  /** Is the target down (connections refused) at `atMs`? */
  isDownAt(atMs: number): boolean {
    const { down } = this.target;
    if (down === 'always') return true;
    const atSeconds = atMs / 1000;
    return down.some((w) => atSeconds >= w.fromSeconds && atSeconds < w.toSeconds);
  }

  /** Does a poll arriving at `atMs` draw a 503? Keyed by (seed, target, whole ms). */
  failsAt(atMs: number): boolean {
    const rate = this.target.failureRate;
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return uniformAt(this.seed, this.target.name, 'failure', Math.floor(atMs)) < rate;
  }

  /** How the target answers a poll arriving at `atMs` (see the order above). */
  answerAt(atMs: number): BehaviourAnswer {
    if (this.isDownAt(atMs)) return { kind: 'refused' };
    if (this.target.hang) return { kind: 'hang' };
    const latencyMs = this.target.latencyMs;
    if (this.target.unauthorized) return { kind: 'unauthorized', latencyMs };
    if (this.failsAt(atMs)) return { kind: 'unavailable', latencyMs };
    return { kind: 'ok', latencyMs };
  }

  /** Ends of down windows in [0, untilMs), ms since start. */
  recoveriesUntil(untilMs: number): number[] {
    const { down } = this.target;
    if (down === 'always') return [];
    return down.map((w) => w.toSeconds * 1000).filter((t) => t < untilMs);
  }
}

/** Number of leading elements < x (strict) or <= x (not strict) of an ascending array. */
function upperBound(sorted: number[], x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (strict ? v < x : v <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Behaviour models for a whole expanded fleet, keyed by target name. */
export function behavioursFor(targets: FleetTarget[], seed: number): Map<string, TargetBehaviour> {
  return new Map(targets.map((t) => [t.name, new TargetBehaviour(t, seed)]));
}
