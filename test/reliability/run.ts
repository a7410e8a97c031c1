/**
 * `npm run test:reliability`: every reliability scenario at full length
 * against real processes; writes docs/RELIABILITY.md and exits non-zero when
 * a bound is missed. `-- --only <name>` runs one scenario.
 */
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { renderReliabilityReport, suiteFiguresOf } from './report';
import {
  badInputAtStart,
  FULL_SCALE,
  gracefulSigterm,
  hungPollAborted,
  killNineMidPoll,
  threeReplicasSoak,
  type ScenarioResult,
} from './scenarios';
import { ALL_PERSISTENCE_SCENARIOS } from './persistence-scenarios';
import { poisonTargetParked } from './poison-scenario';
import { badConfigurationAndGuessing } from './config-auth-scenario';

const SCENARIOS: Record<string, () => Promise<ScenarioResult>> = {
  kill9: killNineMidPoll,
  ...ALL_PERSISTENCE_SCENARIOS,
  soak: () => threeReplicasSoak(FULL_SCALE),
  sigterm: gracefulSigterm,
  hang: hungPollAborted,
  badinput: badInputAtStart,
  poison: poisonTargetParked,
  config: badConfigurationAndGuessing,
};

async function main(): Promise<void> {
  const only = process.argv.indexOf('--only');
  const names = only >= 0 ? [process.argv[only + 1]] : Object.keys(SCENARIOS);
  const results: ScenarioResult[] = [];
  for (const name of names) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario "${name}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
    process.stderr.write(`== ${name}\n`);
    const result = await scenario();
    for (const f of result.figures) process.stderr.write(`   ${f.ok ? 'ok  ' : 'MISS'} ${f.name}: ${String(f.value)} (${f.bound})\n`);
    results.push(result);
  }
  const redisVersion = execSync('redis-server --version').toString().trim().split(' ').slice(0, 3).join(' ');
  const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${redisVersion}`;
  const report = renderReliabilityReport(
    results,
    {
      command: `npm run test:reliability${only >= 0 ? ` -- --only ${names[0]}` : ''}`,
      date: new Date().toISOString().slice(0, 10),
      machine,
    },
    suiteFiguresOf(readFileSync('docs/RELIABILITY.md', 'utf8')),
  );
  if (only < 0) writeFileSync('docs/RELIABILITY.md', report);
  else process.stdout.write(report);
  const missed = results.flatMap((r) => r.figures.filter((f) => !f.ok).map((f) => `${r.scenario}: ${f.name}`));
  if (missed.length > 0) {
    process.stderr.write(`bounds missed:\n${missed.map((m) => `  - ${m}`).join('\n')}\n`);
    process.exit(1);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
