import { runDemoToExit } from '../support/demo-process';
import { RIG_TOKEN, ReliabilityRig } from './rig';
import type { ScenarioResult } from './scenarios';

/** Bad configurations refused by the built demo, and how many token guesses one address gets. */
const BAD_CONFIGURATIONS: Array<{ label: string; env: Record<string, string>; named: string[] }> = [
  { label: 'REDIS_URL=garbage', env: { REDIS_URL: 'garbage' }, named: ['REDIS_URL'] },
  { label: 'ADAPTIVE_POLLING_ENABLED=maybe', env: { ADAPTIVE_POLLING_ENABLED: 'maybe' }, named: ['ADAPTIVE_POLLING_ENABLED'] },
  { label: 'DATABASE_URL=postgres://::nope', env: { DATABASE_URL: 'postgres://::nope' }, named: ['DATABASE_URL'] },
  {
    label: '6 bad values at once',
    env: {
      REDIS_URL: 'garbage',
      DATABASE_URL: 'mysql://db/app',
      ADAPTIVE_POLLING_ENABLED: 'flase',
      ADAPTIVE_POLLING_MAX_INTERVAL: '99999999h',
      ADAPTIVE_POLLING_API_TOKEN: 'short',
      PORT: '99999',
    },
    named: ['REDIS_URL', 'DATABASE_URL', 'ADAPTIVE_POLLING_ENABLED', 'ADAPTIVE_POLLING_MAX_INTERVAL', 'ADAPTIVE_POLLING_API_TOKEN', 'PORT'],
  },
];
const GUESSES = 200;
const EXIT_BOUND_S = 5;
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/**
 * Each bad configuration: exit code, seconds to exit, every variable named,
 * no stack trace. Then, on a running demo, 200 wrong bearer tokens from one
 * address: how many are answered 401 (guesses checked) before 429.
 */
export async function badConfigurationAndGuessing(): Promise<ScenarioResult> {
  const rig = await ReliabilityRig.start('config', [{ name: 'pve-a', type: 'pve' }]);
  try {
    const figures: ScenarioResult['figures'] = [];
    for (const bad of BAD_CONFIGURATIONS) {
      const run = await runDemoToExit(
        { ADAPTIVE_POLLING_API_TOKEN: RIG_TOKEN, DEMO_FLEET: rig.fleetPath, DATABASE_URL: '', REDIS_URL: '', ...bad.env },
        30_000,
      );
      const seconds = Number((run.elapsedMs / 1000).toFixed(2));
      const clean = run.code !== 0 && run.code !== null && bad.named.every((n) => run.output.includes(n)) && !STACK_LINE.test(run.output);
      figures.push({ name: `${bad.label}: seconds to exit`, value: seconds, bound: `<= ${EXIT_BOUND_S} s`, ok: seconds <= EXIT_BOUND_S });
      figures.push({ name: `${bad.label}: non-zero exit, all named, no stack trace`, value: clean, bound: 'true', ok: clean });
    }

    const replica = await rig.startReplica();
    const health = `${replica.demo.url}/api/monitoring/scheduler/health`;
    const statuses = new Map<number, number>();
    const started = performance.now();
    for (let i = 0; i < GUESSES; i++) {
      const response = await fetch(health, { headers: { authorization: `Bearer wrong-guess-${i}-0123456789` } });
      await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    const seconds = (performance.now() - started) / 1000;
    const checked = statuses.get(401) ?? 0;
    const limited = statuses.get(429) ?? 0;
    const rightAfter = (await fetch(health, { headers: { authorization: `Bearer ${RIG_TOKEN}` } })).status;
    figures.push({ name: `wrong tokens checked (401) of ${GUESSES} from one address`, value: checked, bound: '<= 10', ok: checked <= 10 });
    figures.push({ name: 'answered 429 instead', value: limited, bound: `= ${GUESSES - 10}`, ok: limited === GUESSES - 10 });
    figures.push({ name: 'the right token from that address during the block', value: rightAfter, bound: '429', ok: rightAfter === 429 });
    return {
      scenario: 'bad configuration and guessed tokens',
      figures,
      notes: [
        `${GUESSES} guesses took ${seconds.toFixed(2)} s (${Math.round(GUESSES / seconds)}/s answered); only ${checked} were checked against the token`,
        'the limit is 10 failures per address per 60 s window (api.authFailureLimit), shared by the REST API and Bull Board',
      ],
    };
  } finally {
    await rig.stop();
  }
}
