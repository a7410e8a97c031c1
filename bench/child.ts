/**
 * One measurement in a fresh process (so RSS, heap and JIT state of one
 * scenario never leak into another): `node child.js <scenario> <json config>`.
 * Prints one line `BENCH_RESULT <json>` on stdout; logs go to stderr.
 */
import 'reflect-metadata';
import { engineThroughput, rawThroughput } from './scenarios/throughput';
import { engineLateness, rawLateness } from './scenarios/lateness';
import { scale } from './scenarios/scale';
import { realisticPoll } from './scenarios/realistic-poll';

const scenarios: Record<string, (config: never) => Promise<unknown>> = {
  'throughput-engine': engineThroughput,
  'throughput-raw': rawThroughput,
  'lateness-engine': engineLateness,
  'lateness-raw': rawLateness,
  scale,
  'realistic-poll': realisticPoll,
};

async function main(): Promise<void> {
  const [name, json] = process.argv.slice(2);
  const run = name ? scenarios[name] : undefined;
  if (!run || !json) throw new Error(`usage: child.js <${Object.keys(scenarios).join('|')}> <json config>`);
  const result = await run(JSON.parse(json) as never);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
