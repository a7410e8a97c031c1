import { readFileSync } from 'node:fs';

/**
 * The fleet file: a JSON description of simulated targets, read by both the
 * virtual-time simulator (`npm run simulate`) and the HTTP fleet simulator
 * (`npm run simulator`, the demo app).
 *
 * ```json
 * {"targets":[
 *   {"name":"pve-busy","type":"pve","count":20,"changeEverySeconds":10},
 *   {"name":"pbs-flaky","type":"pbs","count":5,"changeEverySeconds":120,"failureRate":0.3},
 *   {"name":"pmg-down","type":"pmg","down":[{"fromSeconds":3600,"toSeconds":18000}]},
 *   {"name":"pve-locked","type":"pve","unauthorized":true},
 *   {"name":"pve-slow","type":"pve","latencyMs":3000,"changeEverySeconds":60}
 * ]}
 * ```
 */

/** A period, in seconds from simulator start, during which connections are refused. */
export interface DownWindow {
  fromSeconds: number;
  toSeconds: number;
}

/** One entry of the fleet file, as written. */
export interface FleetEntry {
  /** Entry name; with `count` > 1 the targets are `name-1` .. `name-N`. */
  name: string;
  /** Target type (`pve`, `pbs`, `pmg`, or any other string). */
  type: string;
  displayName?: string;
  /** How many targets this entry stands for (default 1). */
  count?: number;
  /** Mean time between data changes; absent means the data never changes. */
  changeEverySeconds?: number;
  /** Chance that a poll answers 503 (0..1, default 0). */
  failureRate?: number;
  /** Windows during which connections are refused, or `true` for always. */
  down?: DownWindow[] | true;
  /** Every poll answers 401. */
  unauthorized?: boolean;
  /** Every answer is delayed this long. */
  latencyMs?: number;
  /** Polls never get an answer (until the client gives up). */
  hang?: boolean;
  /**
   * Body size of a pve/pbs/pmg target's realistic answers: guests (PVE, default 12),
   * datastores (PBS, default 3), cluster nodes (PMG, default 1).
   */
  guests?: number;
}

export interface FleetFile {
  targets: FleetEntry[];
}

/** One concrete simulated target, after `count` expansion. */
export interface FleetTarget {
  /** Name of the fleet entry it came from. */
  entry: string;
  /** Unique target name (`entry` itself, or `entry-1` .. `entry-N`). */
  name: string;
  type: string;
  displayName: string;
  changeEverySeconds: number | null;
  failureRate: number;
  /** `'always'` for `down: true`; otherwise the windows, sorted by start. */
  down: DownWindow[] | 'always';
  unauthorized: boolean;
  latencyMs: number;
  hang: boolean;
  /** `guests` as written; null = the type's default. */
  guests: number | null;
}

/** One problem found in a fleet file, naming the field as written. */
export interface FleetProblem {
  /** e.g. `targets[2].failureRate`. */
  field: string;
  message: string;
}

/** Every problem of a fleet file at once. */
export class FleetFileError extends Error {
  override readonly name = 'FleetFileError';
  constructor(
    readonly sourceName: string,
    readonly problems: FleetProblem[],
  ) {
    super(
      `${sourceName}: invalid fleet file (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n'),
    );
  }
}

const ENTRY_FIELDS = new Set([
  'name',
  'type',
  'displayName',
  'count',
  'changeEverySeconds',
  'failureRate',
  'down',
  'unauthorized',
  'latencyMs',
  'hang',
  'guests',
]);

/** Upper bound of `guests`: a 10,000-guest PVE answer is about 3 MB. */
export const MAX_GUESTS = 10_000;

/** Target names end up in URL paths (`/targets/<name>/status`) and job ids. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Validates a parsed fleet value. Returns the typed fleet, or throws a
 * FleetFileError listing every problem (each naming its field).
 */
export function validateFleet(value: unknown, sourceName = 'fleet'): FleetFile {
  const problems: FleetProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });

  if (!isPlainObject(value)) {
    add('(root)', 'must be an object like {"targets":[...]}');
    throw new FleetFileError(sourceName, problems);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'targets') add(key, 'unknown field (expected only "targets")');
  }
  const targets = value.targets;
  if (!Array.isArray(targets)) {
    add('targets', 'must be an array of target entries');
    throw new FleetFileError(sourceName, problems);
  }
  if (targets.length === 0) add('targets', 'must hold at least one entry');

  const entries: FleetEntry[] = [];
  targets.forEach((raw, i) => {
    const at = `targets[${i}]`;
    if (!isPlainObject(raw)) {
      add(at, 'must be an object');
      return;
    }
    for (const key of Object.keys(raw)) {
      if (!ENTRY_FIELDS.has(key)) add(`${at}.${key}`, `unknown field (known: ${[...ENTRY_FIELDS].join(', ')})`);
    }
    if (typeof raw.name !== 'string' || raw.name.length === 0) {
      add(`${at}.name`, 'must be a non-empty string');
    } else if (!NAME_PATTERN.test(raw.name)) {
      add(`${at}.name`, 'may only hold letters, digits, ".", "_" and "-", starting with a letter or digit');
    }
    if (typeof raw.type !== 'string' || raw.type.trim().length === 0) {
      add(`${at}.type`, 'must be a non-empty string (e.g. "pve", "pbs", "pmg")');
    }
    if (raw.displayName !== undefined && (typeof raw.displayName !== 'string' || raw.displayName.length === 0)) {
      add(`${at}.displayName`, 'must be a non-empty string');
    }
    if (raw.count !== undefined && (!Number.isInteger(raw.count) || (raw.count as number) < 1)) {
      add(`${at}.count`, 'must be an integer of at least 1');
    }
    if (raw.changeEverySeconds !== undefined && (!isFiniteNumber(raw.changeEverySeconds) || raw.changeEverySeconds <= 0)) {
      add(`${at}.changeEverySeconds`, 'must be a number greater than 0 (omit it for data that never changes)');
    }
    if (raw.failureRate !== undefined && (!isFiniteNumber(raw.failureRate) || raw.failureRate < 0 || raw.failureRate > 1)) {
      add(`${at}.failureRate`, 'must be between 0 and 1');
    }
    if (raw.guests !== undefined && (!Number.isInteger(raw.guests) || (raw.guests as number) < 1 || (raw.guests as number) > MAX_GUESTS)) {
      add(`${at}.guests`, `must be an integer between 1 and ${MAX_GUESTS}`);
    }
    if (raw.latencyMs !== undefined && (!isFiniteNumber(raw.latencyMs) || raw.latencyMs < 0)) {
      add(`${at}.latencyMs`, 'must be a number of at least 0');
    }
    for (const flag of ['unauthorized', 'hang'] as const) {
      if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean') add(`${at}.${flag}`, 'must be true or false');
    }
    if (raw.down !== undefined && raw.down !== true) {
      if (!Array.isArray(raw.down)) {
        add(`${at}.down`, 'must be true (always down) or an array of {"fromSeconds":N,"toSeconds":M}');
      } else {
        raw.down.forEach((w: unknown, j) => {
          const wat = `${at}.down[${j}]`;
          if (!isPlainObject(w)) {
            add(wat, 'must be an object {"fromSeconds":N,"toSeconds":M}');
            return;
          }
          for (const key of Object.keys(w)) {
            if (key !== 'fromSeconds' && key !== 'toSeconds') add(`${wat}.${key}`, 'unknown field (known: fromSeconds, toSeconds)');
          }
          const fromOk = isFiniteNumber(w.fromSeconds) && w.fromSeconds >= 0;
          const toOk = isFiniteNumber(w.toSeconds) && w.toSeconds >= 0;
          if (!fromOk) add(`${wat}.fromSeconds`, 'must be a number of at least 0');
          if (!toOk) add(`${wat}.toSeconds`, 'must be a number of at least 0');
          if (fromOk && toOk && (w.toSeconds as number) <= (w.fromSeconds as number)) {
            add(`${wat}.toSeconds`, 'must be greater than fromSeconds');
          }
        });
      }
    }
    entries.push(raw as unknown as FleetEntry);
  });

  // Names must stay unique after `count` expansion.
  if (problems.length === 0) {
    const seen = new Map<string, string>();
    entries.forEach((entry, i) => {
      for (const name of expandedNames(entry)) {
        const first = seen.get(name);
        if (first !== undefined) {
          add(`targets[${i}].name`, `target name "${name}" is already used by ${first}`);
        } else {
          seen.set(name, `targets[${i}]`);
        }
      }
    });
  }

  if (problems.length > 0) throw new FleetFileError(sourceName, problems);
  return { targets: entries };
}

/** Parses and validates fleet file text; `sourceName` (usually the path) prefixes every error. */
export function parseFleetFile(text: string, sourceName = 'fleet'): FleetFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FleetFileError(sourceName, [{ field: '(file)', message: `is not valid JSON: ${(error as Error).message}` }]);
  }
  return validateFleet(value, sourceName);
}

/** Reads, parses and validates a fleet file from disk. */
export function loadFleetFile(path: string): FleetFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FleetFileError(path, [{ field: '(file)', message: `cannot be read: ${(error as Error).message}` }]);
  }
  return parseFleetFile(text, path);
}

function expandedNames(entry: FleetEntry): string[] {
  const count = entry.count ?? 1;
  if (count <= 1) return [entry.name];
  return Array.from({ length: count }, (_, k) => `${entry.name}-${k + 1}`);
}

/** The concrete targets of a fleet, in file order (`count` > 1 gives `name-1` .. `name-N`). */
export function expandFleet(fleet: FleetFile): FleetTarget[] {
  const out: FleetTarget[] = [];
  for (const entry of fleet.targets) {
    const names = expandedNames(entry);
    names.forEach((name, k) => {
      const displayBase = entry.displayName ?? entry.name;
      out.push({
        entry: entry.name,
        name,
        type: entry.type,
        displayName: names.length > 1 ? `${displayBase} #${k + 1}` : displayBase,
        changeEverySeconds: entry.changeEverySeconds ?? null,
        failureRate: entry.failureRate ?? 0,
        down:
          entry.down === true
            ? 'always'
            : [...(entry.down ?? [])]
                .map((w) => ({ fromSeconds: w.fromSeconds, toSeconds: w.toSeconds }))
                .sort((a, b) => a.fromSeconds - b.fromSeconds),
        unauthorized: entry.unauthorized ?? false,
        latencyMs: entry.latencyMs ?? 0,
        hang: entry.hang ?? false,
        guests: entry.guests ?? null,
      });
    });
  }
  return out;
}
