import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandFleet, FleetFileError, parseFleetFile, validateFleet } from './fleet-file';

const ISSUE_EXAMPLE = `{"targets":[{"name":"pve-busy","type":"pve","count":20,"changeEverySeconds":10},
{"name":"pbs-flaky","type":"pbs","count":5,"changeEverySeconds":120,"failureRate":0.3},
{"name":"pmg-down","type":"pmg","down":[{"fromSeconds":3600,"toSeconds":18000}]},
{"name":"pve-locked","type":"pve","unauthorized":true},
{"name":"pve-slow","type":"pve","latencyMs":3000,"changeEverySeconds":60}]}`;

function problemsOf(text: string): string[] {
  try {
    parseFleetFile(text, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(FleetFileError);
    return (error as FleetFileError).problems.map((p) => `${p.field}: ${p.message}`);
  }
  throw new Error('expected a FleetFileError');
}

describe('fleet file', () => {
  it('reads the example of the issue and expands count into name-1 .. name-N', () => {
    const targets = expandFleet(parseFleetFile(ISSUE_EXAMPLE, 'example'));
    expect(targets).toHaveLength(20 + 5 + 1 + 1 + 1);
    expect(targets.slice(0, 3).map((t) => t.name)).toEqual(['pve-busy-1', 'pve-busy-2', 'pve-busy-3']);
    expect(targets[19]?.name).toBe('pve-busy-20');
    expect(targets[20]).toMatchObject({ entry: 'pbs-flaky', name: 'pbs-flaky-1', type: 'pbs', failureRate: 0.3, changeEverySeconds: 120 });
    const down = targets.find((t) => t.name === 'pmg-down');
    expect(down).toMatchObject({ entry: 'pmg-down', down: [{ fromSeconds: 3600, toSeconds: 18000 }], changeEverySeconds: null });
    expect(targets.find((t) => t.name === 'pve-locked')).toMatchObject({ unauthorized: true, hang: false, latencyMs: 0 });
    expect(targets.find((t) => t.name === 'pve-slow')).toMatchObject({ latencyMs: 3000, changeEverySeconds: 60 });
  });

  it('count 1 keeps the entry name; displayName defaults to the name and is numbered when expanded', () => {
    const targets = expandFleet(
      parseFleetFile(
        '{"targets":[{"name":"a","type":"pve","count":1},{"name":"b","type":"pbs","count":2,"displayName":"B"},{"name":"c","type":"x","down":true}]}',
      ),
    );
    expect(targets.map((t) => [t.entry, t.name, t.displayName])).toEqual([
      ['a', 'a', 'a'],
      ['b', 'b-1', 'B #1'],
      ['b', 'b-2', 'B #2'],
      ['c', 'c', 'c'],
    ]);
    expect(targets[3]?.down).toBe('always');
  });

  it('reports every problem at once, each naming its field', () => {
    const problems = problemsOf(
      JSON.stringify({
        targets: [
          { name: 'ok', type: 'pve' },
          { name: '', type: 'pve', count: 0 },
          { name: 'bad-rate', type: 'pbs', failureRate: 1.5, changeEverySeconds: -1 },
          { name: 'bad/name', type: '', latencyMs: -5, hang: 'yes', colour: 'red' },
          { name: 'bad-down', type: 'pmg', down: [{ fromSeconds: 100, toSeconds: 50 }, { fromSeconds: -1 }, 3] },
          { name: 'bad-down-2', type: 'pmg', down: 'sometimes', unauthorized: 1 },
          'nope',
        ],
      }),
    );
    expect(problems).toEqual([
      'targets[1].name: must be a non-empty string',
      'targets[1].count: must be an integer of at least 1',
      'targets[2].changeEverySeconds: must be a number greater than 0 (omit it for data that never changes)',
      'targets[2].failureRate: must be between 0 and 1',
      expect.stringMatching(/^targets\[3\]\.colour: unknown field/),
      'targets[3].name: may only hold letters, digits, ".", "_" and "-", starting with a letter or digit',
      'targets[3].type: must be a non-empty string (e.g. "pve", "pbs", "pmg")',
      'targets[3].latencyMs: must be a number of at least 0',
      'targets[3].hang: must be true or false',
      'targets[4].down[0].toSeconds: must be greater than fromSeconds',
      'targets[4].down[1].fromSeconds: must be a number of at least 0',
      'targets[4].down[1].toSeconds: must be a number of at least 0',
      'targets[4].down[2]: must be an object {"fromSeconds":N,"toSeconds":M}',
      'targets[5].unauthorized: must be true or false',
      'targets[5].down: must be true (always down) or an array of {"fromSeconds":N,"toSeconds":M}',
      'targets[6]: must be an object',
    ]);
  });

  it('names the source and the field in the message', () => {
    expect(() =>
      parseFleetFile(
        '{"targets":[{"name":"a","type":"pve"},{"name":"b","type":"pve"},{"name":"c","type":"pve","failureRate":2}]}',
        'fleets/x.json',
      ),
    ).toThrow(/fleets\/x\.json: invalid fleet file \(1 problem\):\n {2}- targets\[2\]\.failureRate: must be between 0 and 1/);
  });

  it('rejects bad JSON, a missing targets array and an empty fleet', () => {
    expect(problemsOf('{"targets": [')).toEqual([expect.stringMatching(/^\(file\): is not valid JSON/)]);
    expect(problemsOf('[]')).toEqual(['(root): must be an object like {"targets":[...]}']);
    expect(problemsOf('{"target":[]}')).toEqual([
      'target: unknown field (expected only "targets")',
      'targets: must be an array of target entries',
    ]);
    expect(problemsOf('{"targets":[]}')).toEqual(['targets: must hold at least one entry']);
  });

  it('rejects names that collide after expansion', () => {
    expect(problemsOf('{"targets":[{"name":"a","type":"pve","count":2},{"name":"a-2","type":"pbs"}]}')).toEqual([
      'targets[1].name: target name "a-2" is already used by targets[0]',
    ]);
  });

  it('validateFleet accepts an already parsed value', () => {
    expect(validateFleet({ targets: [{ name: 'x', type: 'pve', down: true }] }).targets).toHaveLength(1);
  });

  it.each(['standard.json', 'demo.json', 'acceptance.json'])('the shipped fleets/%s is valid', (file) => {
    const path = resolve(__dirname, '../../../fleets', file);
    expect(() => parseFleetFile(readFileSync(path, 'utf8'), path)).not.toThrow();
  });

  it('the shipped fleets have the promised shape', () => {
    const read = (file: string) => expandFleet(parseFleetFile(readFileSync(resolve(__dirname, '../../../fleets', file), 'utf8'), file));
    const standard = read('standard.json');
    expect(standard.length).toBeGreaterThanOrEqual(95);
    expect(standard.length).toBeLessThanOrEqual(105);
    const share = (pred: (t: (typeof standard)[number]) => boolean) => standard.filter(pred).length / standard.length;
    const plain = (t: (typeof standard)[number]) => t.failureRate === 0 && t.down !== 'always' && t.down.length === 0 && !t.unauthorized;
    expect(share((t) => plain(t) && t.changeEverySeconds !== null && t.changeEverySeconds <= 15)).toBeCloseTo(0.2, 2);
    expect(
      share((t) => plain(t) && t.changeEverySeconds !== null && t.changeEverySeconds >= 60 && t.changeEverySeconds <= 300),
    ).toBeCloseTo(0.4, 2);
    expect(share((t) => plain(t) && t.changeEverySeconds === 3600)).toBeCloseTo(0.3, 2);
    expect(standard.some((t) => t.failureRate > 0)).toBe(true);
    expect(standard.some((t) => t.down !== 'always' && t.down.some((w) => w.toSeconds - w.fromSeconds >= 3 * 3600))).toBe(true);
    expect(standard.some((t) => t.unauthorized)).toBe(true);
    expect(new Set(standard.map((t) => t.type))).toEqual(new Set(['pve', 'pbs', 'pmg']));

    const demo = read('demo.json');
    expect(demo.length).toBeGreaterThanOrEqual(10);
    expect(demo.length).toBeLessThanOrEqual(14);
    expect(new Set(demo.map((t) => t.type))).toEqual(new Set(['pve', 'pbs', 'pmg']));
    expect(demo.some((t) => t.hang)).toBe(true);
    expect(demo.some((t) => t.latencyMs > 0)).toBe(true);
    expect(demo.some((t) => t.failureRate > 0)).toBe(true);
    expect(demo.some((t) => t.unauthorized)).toBe(true);
    expect(demo.some((t) => t.down !== 'always' && t.down.some((w) => w.fromSeconds < 60 && w.toSeconds <= 600))).toBe(true);
    expect(demo.some((t) => t.changeEverySeconds !== null && t.changeEverySeconds <= 15)).toBe(true);
    expect(demo.some((t) => t.changeEverySeconds !== null && t.changeEverySeconds >= 3600)).toBe(true);

    const acceptance = read('acceptance.json');
    expect(acceptance.filter((t) => t.unauthorized)).toHaveLength(1);
    expect(acceptance.filter((t) => t.down === 'always')).toHaveLength(1);
  });
});
