import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TargetBehaviour } from '../behaviour';
import { expandFleet, loadFleetFile, parseFleetFile, type FleetTarget } from '../fleet-file';
import { acceptanceFigures, classifyTarget, formatAcceptance, type AcceptanceFigures } from './acceptance';
import { parseArguments, runCli, UsageError } from './cli';
import { MinHeap } from './min-heap';
import type { BodyMode } from './result-hash';
import { DEFAULT_COMPARED_POLICIES, percentile, simulateFleet, toJsonReport, type PolicyRun } from './simulate';

const REPO = resolve(__dirname, '../../../..');
const fleet = (targets: unknown[]) => expandFleet(parseFleetFile(JSON.stringify({ targets }), 'test'));

describe('virtual fleet simulator: acceptance on the standard fleet (seed 1, 24 h, realistic bodies)', () => {
  let runs: PolicyRun[];
  let figures: AcceptanceFigures;
  beforeAll(() => {
    const targets = expandFleet(loadFleetFile(resolve(REPO, 'fleets/standard.json')));
    // fixed never reads the change signal, so its schedule is the same whatever is hashed
    // (tested below): its run hashes the cheap idealised data to keep this test short.
    runs = DEFAULT_COMPARED_POLICIES.map((policy) =>
      simulateFleet({ fleet: targets, hours: 24, seed: 1, policy, bodies: policy === 'fixed' ? 'idealised' : 'signal' }),
    );
    figures = acceptanceFigures(runs);
    // The figures, for the record (docs/POLICY.md quotes them).
    process.stdout.write(formatAcceptance(figures));
  }, 300_000);

  it('change-aware and pulse polled realistic bodies through the change signal', () => {
    expect(runs.map((r) => r.bodies)).toEqual(['idealised', 'signal', 'signal']);
    expect(figures.bodies).toBe('signal');
  });

  it('runs the three policies over about 100 targets with the defaults (base 10 s, min 5 s, max 5 min)', () => {
    expect(runs.map((r) => r.policy)).toEqual(['fixed', 'pulse', 'change-aware']);
    for (const run of runs) {
      expect(run.targets.length).toBeGreaterThanOrEqual(95);
      expect(run.options.intervals).toEqual({ baseMs: 10_000, minMs: 5_000, maxMs: 300_000 });
    }
    // Fixed 10 s: about 8640 polls per healthy target and day.
    const busyFixed = runs[0].targets.filter((t) => classifyTarget(t.target) === 'busy');
    for (const t of busyFixed) expect(t.pollTimesMs.length).toBeGreaterThan(8500);
  });

  it('change-aware uses at most 30 % of the polls of fixed 10 s', () => {
    expect(figures.pollShare).toBeLessThanOrEqual(0.3);
  });

  it('change-aware p95 change-detection latency on busy targets is at most 2x min (10 s)', () => {
    const goalSeconds = 2 * figures.minIntervalSeconds;
    expect(goalSeconds).toBe(10);
    expect(figures.busyP95Seconds.changeAware).not.toBeNull();
    expect(figures.busyP95Seconds.changeAware!).toBeLessThanOrEqual(goalSeconds);
    expect(figures.worstBusyEntryP95Seconds!).toBeLessThanOrEqual(goalSeconds);
  });

  it('on busy targets change-aware p95 detection is at least 5x lower than pulse', () => {
    expect(figures.busyP95Ratio!).toBeGreaterThanOrEqual(5);
  });

  it('on quiet targets change-aware uses no more polls than pulse', () => {
    expect(figures.quietPolls.length).toBeGreaterThan(0);
    for (const q of figures.quietPolls) expect(q.changeAware).toBeLessThanOrEqual(q.pulse);
  });

  it('an unauthorized target costs 1 poll per 30 min', () => {
    expect(figures.unauthorized.length).toBeGreaterThan(0);
    for (const u of figures.unauthorized) {
      expect(u.polls).toBeLessThanOrEqual(u.allowedPolls);
      expect(u.polls).toBeGreaterThanOrEqual(u.allowedPolls - 2);
      expect(u.minGapMinutes!).toBeGreaterThanOrEqual(30);
    }
  });

  it('a down target costs at most 3 polls per hour once parked', () => {
    expect(figures.down.length).toBeGreaterThanOrEqual(2);
    for (const d of figures.down) {
      expect(d.pollsPerHour).toBeLessThanOrEqual(3);
      expect(d.maxPollsInAnyHour).toBeLessThanOrEqual(3);
    }
  });

  it('every policy parks the unauthorized and down targets the same way (core rules, not the policy)', () => {
    for (const run of runs) {
      for (const name of ['pve-locked', 'pmg-locked', 'pbs-gone']) {
        expect(run.entries[name].failedPolls).toBe(run.entries[name].polls);
      }
    }
  });
});

describe('virtual fleet simulator: realistic bodies and the change signal', () => {
  const exact = { intervalJitter: 0, backoff: { jitter: 0 } };
  const run = (targets: FleetTarget[], policy: string, bodies: BodyMode, hours = 1) =>
    simulateFleet({ fleet: targets, hours, seed: 5, policy, bodies });

  it.each(['pve', 'pbs', 'pmg'])(
    '%s data that never changes: counters move on every answer, the signal sees no change and change-aware backs off to max; hashed whole, every poll is a change',
    (type) => {
      const still = fleet([{ name: 'still', type }]);
      const signal = run(still, 'change-aware', 'signal').targets[0];
      const whole = run(still, 'change-aware', 'whole-body').targets[0];
      expect(signal.changedPolls).toBe(0);
      // Settled at max (5 min, jitter only shortens it): about 12 polls an hour after the first few.
      expect(signal.pollTimesMs.length).toBeLessThan(30);
      expect(whole.changedPolls).toBe(whole.pollTimesMs.length - 1);
      // Every poll a change: pinned at the busy floor 2 x min / (1 + jitter) = 9.52 s.
      expect(whole.pollTimesMs.length).toBeGreaterThan(350);
    },
  );

  it.each(['pve', 'pbs', 'pmg'])('%s: the signal changes only on polls that saw a new data version, and on most of them', (type) => {
    const [target] = fleet([{ name: 'moving', type, changeEverySeconds: 300 }]) as [FleetTarget];
    const polled = simulateFleet({ fleet: [target], hours: 4, seed: 5, policy: 'fixed', polling: exact }).targets[0];
    const behaviour = new TargetBehaviour(target, 5);
    const versions = polled.pollTimesMs.map((t) => behaviour.versionAt(t + target.latencyMs));
    const newVersionPolls = versions.filter((v, i) => i > 0 && v !== versions[i - 1]).length;
    expect(newVersionPolls).toBeGreaterThan(30);
    expect(polled.changedPolls).toBeLessThanOrEqual(newVersionPolls);
    // Some events are invisible to the signal (a guest started on a node that is offline).
    expect(polled.changedPolls).toBeGreaterThanOrEqual(0.8 * newVersionPolls);
  });

  it("fixed's schedule does not depend on what is hashed", () => {
    const small = fleet([
      { name: 'busy', type: 'pve', count: 2, changeEverySeconds: 10 },
      { name: 'flaky', type: 'pbs', changeEverySeconds: 60, failureRate: 0.3 },
      { name: 'mail', type: 'pmg', changeEverySeconds: 120 },
    ]);
    const times = (bodies: BodyMode) => run(small, 'fixed', bodies).targets.map((t) => t.pollTimesMs);
    expect(times('signal')).toEqual(times('idealised'));
    expect(times('whole-body')).toEqual(times('idealised'));
  });

  it('the whole-body row shows the failure mode: every poll a change, quiet targets polled at the busy rate', () => {
    // Busy and quiet entries of each type, as in the standard fleet (2 h; the 24 h figures are in POLICY.md).
    const targets = fleet(
      ['pve', 'pbs', 'pmg'].flatMap((type) => [
        { name: `${type}-busy`, type, count: 2, changeEverySeconds: 10 },
        { name: `${type}-quiet`, type, count: 2, changeEverySeconds: 3600 },
      ]),
    );
    const runs = [
      simulateFleet({ fleet: targets, hours: 2, seed: 1, policy: 'fixed', bodies: 'idealised' }),
      ...['pulse', 'change-aware'].map((policy) => simulateFleet({ fleet: targets, hours: 2, seed: 1, policy })),
      simulateFleet({ fleet: targets, hours: 2, seed: 1, policy: 'change-aware', bodies: 'whole-body' }),
    ];
    expect(runs[3].label).toBe('change-aware (whole-body)');
    const figures = acceptanceFigures(runs);
    const whole = figures.wholeBody!;
    expect(whole.pollShare).toBeGreaterThan(0.9);
    expect(whole.quietChangedShare.wholeBody).toBeGreaterThan(0.99);
    expect(whole.quietChangedShare.signal).toBeLessThan(0.1);
    expect(whole.quietPollsPerTargetHour.wholeBody).toBeGreaterThan(5 * whole.quietPollsPerTargetHour.signal);
    expect(formatAcceptance(figures)).toMatch(/PASS {2}whole body hashed \(no change signal\) shows the failure mode/);
  }, 120_000);
});

describe('virtual fleet simulator: determinism', () => {
  const small = fleet([
    { name: 'busy', type: 'pve', count: 3, changeEverySeconds: 10 },
    { name: 'flaky', type: 'pbs', count: 2, changeEverySeconds: 60, failureRate: 0.3 },
    { name: 'down', type: 'pmg', changeEverySeconds: 120, down: [{ fromSeconds: 600, toSeconds: 3000 }] },
    { name: 'locked', type: 'pve', unauthorized: true },
  ]);
  const json = (seed: number, policy = 'change-aware') =>
    JSON.stringify(toJsonReport([simulateFleet({ fleet: small, hours: 2, seed, policy })]));

  it('the same seed gives the same output', () => {
    expect(json(1)).toBe(json(1));
    expect(json(7, 'pulse')).toBe(json(7, 'pulse'));
  });

  it('different seeds give different output', () => {
    expect(json(1)).not.toBe(json(2));
  });

  it('a target behaves the same whatever else is in the fleet (per-target streams)', () => {
    const alone = simulateFleet({ fleet: small.filter((t) => t.name === 'flaky-2'), hours: 2, seed: 3, policy: 'change-aware' });
    const together = simulateFleet({ fleet: small, hours: 2, seed: 3, policy: 'change-aware' });
    expect(together.targets.find((t) => t.target.name === 'flaky-2')!.pollTimesMs).toEqual(alone.targets[0].pollTimesMs);
  });

  it('aggregates expanded targets per fleet entry', () => {
    const run = simulateFleet({ fleet: small, hours: 1, seed: 1, policy: 'fixed' });
    expect(Object.keys(run.entries)).toEqual(['busy', 'flaky', 'down', 'locked']);
    expect(run.entries.busy.targets).toBe(3);
    const busyTargets = run.targets.filter((t) => t.target.entry === 'busy');
    expect(busyTargets.map((t) => t.target.name)).toEqual(['busy-1', 'busy-2', 'busy-3']);
    expect(run.entries.busy.polls).toBe(busyTargets.reduce((s, t) => s + t.pollTimesMs.length, 0));
    expect(run.entries.busy.changes).toBe(busyTargets.reduce((s, t) => s + t.changes, 0));
    expect(run.polls).toBe(Object.values(run.entries).reduce((s, e) => s + e.polls, 0));
  });

  it('prints exactly the documented JSON shape', () => {
    const report = toJsonReport([simulateFleet({ fleet: small, hours: 1, seed: 1, policy: 'fixed' })]);
    expect(Object.keys(report)).toEqual(['policies']);
    expect(Object.keys(report.policies.fixed)).toEqual(['polls', 'entries']);
    expect(Object.keys(report.policies.fixed.entries.busy)).toEqual([
      'polls',
      'changedPolls',
      'changes',
      'detectionP50Seconds',
      'detectionP95Seconds',
      'detectionMaxSeconds',
      'failedPolls',
      'recoveryDetectionSeconds',
    ]);
    expect(report.policies.fixed.entries.locked).toMatchObject({ changes: 0, detectionP50Seconds: null, recoveryDetectionSeconds: null });
  });
});

describe('virtual fleet simulator: hand-computable runs (fixed 10 s, no jitter)', () => {
  const exact = { intervalJitter: 0, backoff: { jitter: 0 } };

  it('detection latency = time from each change to the next poll, superseded changes included', () => {
    const [target] = fleet([{ name: 'fast', type: 'pve', changeEverySeconds: 4 }]) as [FleetTarget];
    const run = simulateFleet({ fleet: [target], hours: 0.5, seed: 11, policy: 'fixed', polling: exact });
    const polls = run.targets[0].pollTimesMs;
    expect(polls.slice(0, 4)).toEqual([0, 10_000, 20_000, 30_000]);
    expect(polls).toHaveLength(180);

    const changes = new TargetBehaviour(target, 11).changeTimesUntil(1_800_000);
    // Gaps of 2-6 s: two or three changes per 10 s poll window, all counted.
    expect(changes.length).toBeGreaterThan(300);
    const lastPollMs = polls.at(-1)!;
    const expected = changes.filter((c) => c <= lastPollMs).map((c) => Math.ceil(c / 10_000) * 10_000 - c);
    expect(run.targets[0].detectionsMs).toEqual(expected);
    expect(run.targets[0].undetectedChanges).toBe(changes.length - expected.length);

    const sorted = [...expected].sort((a, b) => a - b);
    const entry = run.entries.fast;
    expect(entry.changes).toBe(changes.length);
    expect(entry.detectionP50Seconds).toBe(Math.round(percentile(sorted, 50)!) / 1000);
    expect(entry.detectionP95Seconds).toBe(Math.round(percentile(sorted, 95)!) / 1000);
    expect(entry.detectionMaxSeconds).toBe(Math.round(sorted.at(-1)!) / 1000);
    expect(entry.detectionMaxSeconds!).toBeLessThanOrEqual(10);
  });

  it('recovery detection: down until 12 s, polls at 0 and 5 s refused (backoff 5 s), 15 s succeeds -> 3 s', () => {
    const run = simulateFleet({
      fleet: fleet([{ name: 'blip', type: 'pve', down: [{ fromSeconds: 0, toSeconds: 12 }] }]),
      hours: 0.01,
      seed: 1,
      policy: 'fixed',
      polling: exact,
    });
    const t = run.targets[0];
    expect(t.pollTimesMs.slice(0, 4)).toEqual([0, 5_000, 15_000, 25_000]);
    expect(t.failedPolls).toBe(2);
    expect(t.recoveriesMs).toEqual([3_000]);
    expect(run.entries.blip.recoveryDetectionSeconds).toBe(3);
  });

  it('an unauthorized target is parked at once and retried every 30 min', () => {
    const run = simulateFleet({
      fleet: fleet([{ name: 'locked', type: 'pve', unauthorized: true }]),
      hours: 3,
      seed: 1,
      policy: 'change-aware',
    });
    expect(run.targets[0].pollTimesMs).toEqual([0, 1, 2, 3, 4, 5].map((k) => k * 1_800_000));
    expect(run.targets[0].parkedAtMs).toHaveLength(6);
  });

  it('a hung target fails at the poll timeout (120 s) and an always-down one is refused', () => {
    const run = simulateFleet({
      fleet: fleet([
        { name: 'hang', type: 'pmg', hang: true },
        { name: 'gone', type: 'pbs', down: true },
      ]),
      hours: 1,
      seed: 1,
      policy: 'fixed',
      polling: exact,
    });
    const [hang, gone] = run.targets as [PolicyRun['targets'][number], PolicyRun['targets'][number]];
    expect(hang.failedPolls).toBe(hang.pollTimesMs.length);
    // Each hung poll occupies 120 s before the next can be planned.
    expect(hang.pollTimesMs[1] - hang.pollTimesMs[0]).toBeGreaterThanOrEqual(120_000);
    expect(gone.failedPolls).toBe(gone.pollTimesMs.length);
    expect(gone.parkedAtMs.length).toBeGreaterThanOrEqual(1);
  });

  it('latency delays the answer: a 3 s target polled every 10 s after each answer', () => {
    const run = simulateFleet({
      fleet: fleet([{ name: 'slow', type: 'pve', latencyMs: 3000, changeEverySeconds: 60 }]),
      hours: 0.02,
      seed: 1,
      policy: 'fixed',
      polling: exact,
    });
    expect(run.targets[0].pollTimesMs.slice(0, 3)).toEqual([0, 13_000, 26_000]);
  });
});

describe('min-heap', () => {
  it('pops by time, then by order', () => {
    const heap = new MinHeap<{ atMs: number; order: number }>();
    const items = [5, 1, 9, 1, 3, 7, 3, 0].map((atMs, order) => ({ atMs, order }));
    for (const i of items) heap.push(i);
    const out: string[] = [];
    for (let x = heap.pop(); x; x = heap.pop()) out.push(`${x.atMs}/${x.order}`);
    expect(out).toEqual(['0/7', '1/1', '1/3', '3/4', '3/6', '5/0', '7/5', '9/2']);
    expect(heap.size).toBe(0);
  });
});

describe('simulate CLI', () => {
  const known = ['change-aware', 'fixed', 'pulse'];
  const capture = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t), cwd: REPO } };
  };

  it('parses the documented arguments with their defaults', () => {
    expect(parseArguments(['--fleet', 'f.json'], known)).toEqual({
      fleetPath: 'f.json',
      hours: 24,
      seed: 1,
      policies: ['fixed', 'pulse', 'change-aware'],
      bodies: 'signal',
      runs: [
        { policy: 'fixed', bodies: 'signal' },
        { policy: 'pulse', bodies: 'signal' },
        { policy: 'change-aware', bodies: 'signal' },
        { policy: 'change-aware', bodies: 'whole-body' },
      ],
      json: false,
      acceptance: false,
      help: false,
    });
    expect(parseArguments(['--fleet=f.json', '--hours', '2.5', '--seed=9', '--policy', 'pulse', '--json'], known)).toMatchObject({
      hours: 2.5,
      seed: 9,
      policies: ['pulse'],
      runs: [{ policy: 'pulse', bodies: 'signal' }],
      json: true,
    });
    // Another body mode: the three policies only, each in that mode.
    expect(parseArguments(['--fleet', 'f.json', '--bodies', 'idealised'], known).runs).toEqual([
      { policy: 'fixed', bodies: 'idealised' },
      { policy: 'pulse', bodies: 'idealised' },
      { policy: 'change-aware', bodies: 'idealised' },
    ]);
    expect(() => parseArguments(['--fleet', 'f.json', '--bodies', 'raw'], known)).toThrow(
      '--bodies must be one of signal, whole-body, idealised, got "raw"',
    );
  });

  it('reports every bad argument at once', () => {
    expect(() => parseArguments(['--hours', '-1', '--seed', 'x', '--policy', 'nope', '--bogus'], known)).toThrow(UsageError);
    try {
      parseArguments(['--hours', '-1', '--seed', 'x', '--policy', 'nope', '--bogus'], known);
    } catch (error) {
      expect((error as Error).message.split('\n')).toEqual([
        'error: unknown argument "--bogus"',
        'error: --fleet <file> is required',
        'error: --hours must be a number greater than 0 and at most 720, got "-1"',
        'error: --seed must be a non-negative integer, got "x"',
        'error: --policy must be one of change-aware, fixed, pulse, all, got "nope"',
      ]);
    }
    expect(() => parseArguments(['--fleet'], known)).toThrow('--fleet needs a value');
    expect(() => parseArguments(['--fleet', 'f', '--json', '--acceptance'], known)).toThrow('--acceptance cannot be combined with --json');
  });

  it('exits 2 with the usage on bad arguments, and on a bad fleet file', () => {
    const a = capture();
    expect(runCli(['--hours', '0'], a.io)).toBe(2);
    expect(a.out.stderr).toMatch(/error: --fleet <file> is required/);
    expect(a.out.stderr).toMatch(/usage: npm run simulate/);
    const b = capture();
    expect(runCli(['--fleet', 'fleets/does-not-exist.json'], b.io)).toBe(2);
    expect(b.out.stderr).toMatch(/does-not-exist\.json: invalid fleet file/);
  });

  it('--json prints exactly one object with every policy', () => {
    const c = capture();
    expect(runCli(['--fleet', 'fleets/acceptance.json', '--hours', '1', '--json'], c.io)).toBe(0);
    const lines = c.out.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]) as { policies: Record<string, { polls: number; entries: Record<string, unknown> }> };
    expect(Object.keys(report.policies)).toEqual(['fixed', 'pulse', 'change-aware', 'change-aware (whole-body)']);
    expect(Object.keys(report.policies['change-aware'].entries)).toEqual(['pve-locked', 'pbs-down', 'pmg-healthy']);
  });

  it('prints a table per policy', () => {
    const c = capture();
    expect(runCli(['--fleet', 'fleets/demo.json', '--hours', '1', '--seed', '2', '--policy', 'change-aware'], c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/^fleet fleets\/demo\.json: 12 targets, 1 h virtual time, seed 2/);
    expect(c.out.stdout).toMatch(/policy change-aware: [\d,]+ polls/);
    expect(c.out.stdout).toMatch(/\npmg-hang +1 /);
  });
});
