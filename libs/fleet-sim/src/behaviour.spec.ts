import { describe, expect, it } from 'vitest';
import { TargetBehaviour } from './behaviour';
import { expandFleet, parseFleetFile, type FleetTarget } from './fleet-file';
import { deriveSeed, derivedStream, mulberry32, uniformAt } from './rng';

function target(overrides: Partial<FleetTarget> = {}): FleetTarget {
  return {
    entry: 't',
    name: 't',
    type: 'pve',
    displayName: 't',
    changeEverySeconds: null,
    failureRate: 0,
    down: [],
    unauthorized: false,
    latencyMs: 0,
    hang: false,
    guests: null,
    ...overrides,
  };
}

describe('rng', () => {
  it('mulberry32 is reproducible per seed and lies in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });

  it('derived streams depend on seed and labels only', () => {
    expect(deriveSeed(1, 'a', 'changes')).toBe(deriveSeed(1, 'a', 'changes'));
    expect(deriveSeed(1, 'a', 'changes')).not.toBe(deriveSeed(2, 'a', 'changes'));
    expect(deriveSeed(1, 'a', 'changes')).not.toBe(deriveSeed(1, 'b', 'changes'));
    expect(deriveSeed(1, 'ab', 'c')).not.toBe(deriveSeed(1, 'a', 'bc'));
    expect(derivedStream(7, 'x')()).toBe(uniformAt(7, 'x'));
  });
});

describe('behaviour model', () => {
  it('change gaps are uniform on [0.5 T, 1.5 T] with mean T', () => {
    const b = new TargetBehaviour(target({ name: 'busy', changeEverySeconds: 10 }), 1);
    const times = b.changeTimesUntil(24 * 3600 * 1000);
    expect(times[0]).toBeGreaterThanOrEqual(0);
    expect(times[0]).toBeLessThan(15_000);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5_000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15_000);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    expect(mean).toBeGreaterThan(9_900);
    expect(mean).toBeLessThan(10_100);
  });

  it('is a pure function of (target, seed, time): query order does not matter', () => {
    const t = target({ name: 'n', changeEverySeconds: 60, failureRate: 0.3 });
    const forward = new TargetBehaviour(t, 5);
    const backward = new TargetBehaviour(t, 5);
    const probes = Array.from({ length: 200 }, (_, i) => i * 7_919);
    const a = probes.map((ms) => [forward.versionAt(ms), forward.failsAt(ms)]);
    const b = [...probes]
      .reverse()
      .map((ms) => [backward.versionAt(ms), backward.failsAt(ms)])
      .reverse();
    expect(b).toEqual(a);
    expect(forward.dataAt(100_000)).toEqual(backward.dataAt(100_000));
  });

  it('versions count the changes at or before t, and the data changes with the version', () => {
    const b = new TargetBehaviour(target({ name: 'v', changeEverySeconds: 30 }), 3);
    const [c1, c2] = b.changeTimesUntil(200_000);
    expect(b.versionAt(0)).toBe(c1 === 0 ? 1 : 0);
    expect(b.versionAt(c1)).toBe(1);
    expect(b.versionAt(c2 - 1e-6)).toBe(1);
    expect(b.versionAt(c2)).toBe(2);
    expect(b.dataAt(c2)).toMatchObject({ target: 'v', type: 'pve', version: 2 });
    expect(b.dataAt(c2).value).not.toBe(b.dataAt(c1).value);
    const still = new TargetBehaviour(target({ name: 's' }), 3);
    expect(still.versionAt(1e9)).toBe(0);
    expect(still.changeTimesUntil(1e9)).toEqual([]);
  });

  it('different seeds give different change times', () => {
    const t = target({ name: 'x', changeEverySeconds: 10 });
    expect(new TargetBehaviour(t, 1).changeTimesUntil(60_000)).not.toEqual(new TargetBehaviour(t, 2).changeTimesUntil(60_000));
  });

  it('draws failures at the failure rate', () => {
    const b = new TargetBehaviour(target({ name: 'f', failureRate: 0.3 }), 1);
    let fails = 0;
    for (let i = 0; i < 10_000; i++) if (b.failsAt(i * 1000)) fails++;
    expect(fails / 10_000).toBeGreaterThan(0.28);
    expect(fails / 10_000).toBeLessThan(0.32);
  });

  it('answers in order: down, hang, unauthorized, 503, ok', () => {
    const [down, hang, locked, flaky, slow] = expandFleet(
      parseFleetFile(
        JSON.stringify({
          targets: [
            { name: 'down', type: 'pve', down: [{ fromSeconds: 10, toSeconds: 20 }], unauthorized: true },
            { name: 'hang', type: 'pve', hang: true, unauthorized: true },
            { name: 'locked', type: 'pve', unauthorized: true, failureRate: 1, latencyMs: 5 },
            { name: 'flaky', type: 'pve', failureRate: 1 },
            { name: 'slow', type: 'pve', latencyMs: 3000 },
          ],
        }),
      ),
    ).map((t) => new TargetBehaviour(t, 1));
    expect(down?.answerAt(9_999)).toEqual({ kind: 'unauthorized', latencyMs: 0 });
    expect(down?.answerAt(10_000)).toEqual({ kind: 'refused' });
    expect(down?.answerAt(19_999)).toEqual({ kind: 'refused' });
    expect(down?.answerAt(20_000)).toEqual({ kind: 'unauthorized', latencyMs: 0 });
    expect(down?.recoveriesUntil(86_400_000)).toEqual([20_000]);
    expect(hang?.answerAt(0)).toEqual({ kind: 'hang' });
    expect(locked?.answerAt(0)).toEqual({ kind: 'unauthorized', latencyMs: 5 });
    expect(flaky?.answerAt(0)).toEqual({ kind: 'unavailable', latencyMs: 0 });
    expect(slow?.answerAt(0)).toEqual({ kind: 'ok', latencyMs: 3000 });
  });
});
