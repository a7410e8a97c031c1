/**
 * `npm run simulate -- --fleet <file> --hours 24 --seed 1 [--policy <name>|all] [--bodies <mode>] [--json]`
 *
 * Runs the virtual-time fleet simulator and prints a table per policy (or,
 * with --json, exactly one JSON object).
 */
import { resolve } from 'node:path';
import { createPolicyRegistry } from '../../../adaptive-polling/src/core';
import { expandFleet, FleetFileError, loadFleetFile, type FleetTarget } from '../fleet-file';
import { acceptanceFigures, formatAcceptance } from './acceptance';
import { formatReport } from './report';
import { BODY_MODES, type BodyMode } from './result-hash';
import { DEFAULT_COMPARED_POLICIES, simulateFleet, toJsonReport, type PolicyRun } from './simulate';

export const USAGE = `usage: npm run simulate -- --fleet <file> [--hours 24] [--seed 1] [--policy <name>|all] [--bodies <mode>] [--json]

  --fleet <file>     fleet file (e.g. fleets/standard.json)                 required
  --hours <n>        virtual hours to simulate (> 0, at most 720)          default 24
  --seed <n>         integer seed of every random draw                     default 1
  --policy <name>    fixed | pulse | change-aware | all                    default all
                     (all = fixed 10 s, pulse and change-aware; with --bodies
                     signal also change-aware with the whole body hashed)
  --bodies <mode>    what a successful poll of a pve/pbs/pmg target hashes   default signal
                     signal: realistic Proxmox bodies through the ready-made
                       change signal (as the ready-made pollers);
                     whole-body: the same bodies hashed whole (no signal);
                     idealised: the behaviour model's data (moves only at
                       change times)
  --json             print one JSON object instead of tables
  --acceptance       after the tables, check the core issue's acceptance lines
                     (needs --policy all; not with --json)
  --help             this text`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliArguments {
  fleetPath: string;
  hours: number;
  seed: number;
  policies: string[];
  bodies: BodyMode;
  /** The runs to make, in report order. */
  runs: Array<{ policy: string; bodies: BodyMode }>;
  json: boolean;
  acceptance: boolean;
  help: boolean;
}

/** Parses the command line; throws UsageError listing every problem. */
export function parseArguments(argv: readonly string[], knownPolicies: readonly string[]): CliArguments {
  const problems: string[] = [];
  const values = new Map<string, string>();
  let json = false;
  let acceptance = false;
  let help = false;
  const valued = new Set(['--fleet', '--hours', '--seed', '--policy', '--bodies']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--json') json = true;
    else if (name === '--acceptance') acceptance = true;
    else if (name === '--help' || name === '-h') help = true;
    else if (valued.has(name)) {
      let value: string | undefined;
      if (eq > 0 && arg.startsWith('--')) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        if (value === undefined || value.startsWith('--')) value = undefined;
        else i += 1;
      }
      if (value === undefined || value === '') problems.push(`${name} needs a value`);
      else if (values.has(name)) problems.push(`${name} given twice`);
      else values.set(name, value);
    } else problems.push(`unknown argument "${arg}"`);
  }

  const fleetPath = values.get('--fleet');
  if (!help && fleetPath === undefined && !problems.some((p) => p.startsWith('--fleet'))) problems.push('--fleet <file> is required');

  const hoursText = values.get('--hours') ?? '24';
  const hours = Number(hoursText);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 720)
    problems.push(`--hours must be a number greater than 0 and at most 720, got "${hoursText}"`);

  const seedText = values.get('--seed') ?? '1';
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(seed)) problems.push(`--seed must be a non-negative integer, got "${seedText}"`);

  const policyText = values.get('--policy') ?? 'all';
  let policies: string[] = [];
  if (policyText === 'all') policies = [...DEFAULT_COMPARED_POLICIES];
  else if (knownPolicies.includes(policyText)) policies = [policyText];
  else problems.push(`--policy must be one of ${[...knownPolicies, 'all'].join(', ')}, got "${policyText}"`);

  const bodiesText = values.get('--bodies') ?? 'signal';
  const bodies = (BODY_MODES as readonly string[]).includes(bodiesText) ? (bodiesText as BodyMode) : 'signal';
  if (bodies !== bodiesText) problems.push(`--bodies must be one of ${BODY_MODES.join(', ')}, got "${bodiesText}"`);
  const runs = policies.map((policy) => ({ policy, bodies }));
  // The row that shows what a change signal is for.
  if (policyText === 'all' && bodies === 'signal') runs.push({ policy: 'change-aware', bodies: 'whole-body' });

  if (acceptance && json) problems.push('--acceptance cannot be combined with --json');
  if (acceptance && policyText !== 'all') problems.push('--acceptance needs --policy all');

  if (problems.length > 0) throw new UsageError(problems.map((p) => `error: ${p}`).join('\n'));
  return { fleetPath: fleetPath ?? '', hours, seed, policies, bodies, runs, json, acceptance, help };
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

/** Runs the CLI; returns the exit code (0 ok, 2 usage or fleet file error). */
export function runCli(argv: readonly string[], io: CliIo): number {
  const knownPolicies = createPolicyRegistry().names();
  let args: CliArguments;
  try {
    args = parseArguments(argv, knownPolicies);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  let targets: FleetTarget[];
  try {
    targets = expandFleet(loadFleetFile(resolve(io.cwd, args.fleetPath)));
  } catch (error) {
    if (!(error instanceof FleetFileError)) throw error;
    io.stderr(`${error.message}\n`);
    return 2;
  }
  const runs: PolicyRun[] = args.runs.map(({ policy, bodies }) =>
    simulateFleet({ fleet: targets, hours: args.hours, seed: args.seed, policy, bodies }),
  );
  if (args.json) io.stdout(`${JSON.stringify(toJsonReport(runs))}\n`);
  else io.stdout(formatReport(runs, { fleetPath: args.fleetPath, targets: targets.length }));
  if (args.acceptance) io.stdout(`\n${formatAcceptance(acceptanceFigures(runs))}`);
  return 0;
}

// Run when executed (tsx), not when imported (tests).
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
  });
}
