import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs the benchmark harness in its tiny configuration (a few targets, about a
// second per scenario) and checks the shape of what it prints: one JSON object
// with the figures' keys. The figures themselves are not asserted: timings on
// a shared machine belong in docs/BENCHMARKS.md, not in a test.
describe('bench harness', () => {
  it('prints exactly one JSON object with every figure key, also of each --scale fleet size and of the --cluster run', () => {
    const root = join(__dirname, '..', '..');
    const run = spawnSync(
      process.execPath,
      // --scale A,B: two small fleets stand in for 10,000 and 100,000 (`--scale 100000`);
      // --cluster: the largest once more on a local 3-master Redis Cluster (about 10 s more)
      [
        join(root, 'bench', 'launch.mjs'),
        '--tiny',
        '--json',
        '--only=throughput,lateness,scale,realistic',
        '--scale',
        '300,600',
        '--cluster',
      ],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 280_000,
      },
    );
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]) as Record<string, unknown>;
    for (const key of [
      'throughputRatio',
      'redisCommandsRatio',
      'latenessP99Ms',
      'latenessP99MsRedisHz100',
      'rssMb10k',
      'healthP95Ms10k',
      'machine',
      'throughput',
      'lateness',
      'scale',
      'realisticPollCpuMs',
      'jsonParseCpuMs',
      'realisticPoll',
      'goals',
    ]) {
      expect(result).toHaveProperty(key);
    }
    expect(typeof result.throughputRatio).toBe('number');
    expect(typeof result.redisCommandsRatio).toBe('number');
    expect(typeof result.realisticPollCpuMs).toBe('number');
    // The parse of the same answers, timed in the polls and left out of the headline.
    expect(result.jsonParseCpuMs).toBeGreaterThan(0);
    expect(result.scaleSizes).toEqual([300, 600]);
    for (const [key, targets] of [
      ['scale300', 300],
      ['scale600', 600],
    ] as const) {
      const figures = result[key] as Record<string, unknown>;
      expect(figures.targets).toBe(targets);
      for (const name of [
        'rssMb',
        'redisBytesPerTarget',
        'registerSeconds',
        'healthP95Ms',
        'metricsP95Ms',
        'metricsSeries',
        'latenessP99Ms',
        'latenessP99MsRedisHz100',
      ]) {
        expect(typeof figures[name], `${key}.${name}`).toBe('number');
      }
      expect(figures.redisCommandsByNode).toHaveLength(1);
    }
    expect(result.goals).toHaveProperty(['scale600.rssMb']);
    const onCluster = result.scaleCluster3 as Record<string, unknown>;
    expect(onCluster.targets).toBe(600);
    for (const name of ['rssMb', 'redisBytesPerTarget', 'healthP95Ms', 'metricsP95Ms', 'latenessP99Ms', 'nodeShareMaxDeviation']) {
      expect(typeof onCluster[name], `scaleCluster3.${name}`).toBe('number');
    }
    // one entry per master, with its commands and share
    const shares = onCluster.clusterShares as Array<{ node: string; commands: number; share: number }>;
    expect(shares).toHaveLength(3);
    expect(new Set(shares.map((s) => s.node)).size).toBe(3);
    for (const s of shares) expect(s.commands).toBeGreaterThan(0);
    expect(onCluster.redisCommandsByNode).toHaveLength(3);
    expect(result.goals).toHaveProperty(['scaleCluster3.nodeShareMaxDeviation']);
  }, 300_000);
});
