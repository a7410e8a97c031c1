import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs the benchmark harness in its tiny configuration (a few targets, about a
// second per scenario) and checks the shape of what it prints: one JSON object
// with the figures' keys. The figures themselves are not asserted: timings on
// a shared machine belong in docs/BENCHMARKS.md, not in a test.
describe('bench harness', () => {
  it('prints exactly one JSON object with every figure key', () => {
    const root = join(__dirname, '..', '..');
    const run = spawnSync(
      process.execPath,
      [join(root, 'bench', 'launch.mjs'), '--tiny', '--json', '--only=throughput,lateness,scale,realistic'],
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
      'realisticPoll',
      'goals',
    ]) {
      expect(result).toHaveProperty(key);
    }
    expect(typeof result.throughputRatio).toBe('number');
    expect(typeof result.redisCommandsRatio).toBe('number');
    expect(typeof result.realisticPollCpuMs).toBe('number');
  }, 300_000);
});
