/**
 * `npx tsx bench/console.ts`: the operator's console at 10,000 targets.
 * Builds and starts the demo (`node dist/...`, its in-process fleet
 * simulator) on a private redis-server with a fleet of 10,000 targets, then
 * measures in Debian's Chromium (playwright-core) the fleet page's time from
 * navigation to the first rendered table, and the bytes the live stream
 * sends per update for one page of 100 rows. Prints one JSON object.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserProfiles } from '../test/support/chromium';
import { buildDemo, startDemo } from '../test/support/demo-process';
import { startPrivateRedis } from '../test/support/private-redis';
import { median, round } from './lib/stats';

const TARGETS = 10_000;
const TOKEN = 'console-bench-token';
const NAVIGATIONS = 5;
const STREAM_MS = 20_000;

async function main(): Promise<void> {
  buildDemo();
  const work = mkdtempSync(join(tmpdir(), 'ap-console-bench-'));
  const fleet = join(work, 'fleet.json');
  writeFileSync(
    fleet,
    JSON.stringify({
      targets: [
        { name: 'pve-node', type: 'pve', count: TARGETS / 2, changeEverySeconds: 60 },
        { name: 'pbs-store', type: 'pbs', count: TARGETS / 2, changeEverySeconds: 120 },
      ],
    }),
  );
  const redis = await startPrivateRedis();
  const demo = await startDemo(
    { PORT: '0', REDIS_URL: redis.url, ADAPTIVE_POLLING_API_TOKEN: TOKEN, DEMO_FLEET: fleet, DEMO_SQLITE_PATH: join(work, 'db.sqlite') },
    120_000,
  );
  const base = `${demo.url}/admin/polling`;
  const browsers = new BrowserProfiles();
  const context = await browsers.open();
  try {
    const authorization = `Basic ${Buffer.from(`bench:${TOKEN}`).toString('base64')}`;
    const fleetJson = async () => {
      const started = performance.now();
      const page = (await (await fetch(`${base}/api/fleet`, { headers: { authorization } })).json()) as {
        summary: { total: number };
        rows: Array<{ key: string }>;
      };
      return { page, ms: performance.now() - started };
    };
    while ((await fleetJson()).page.summary.total < TARGETS) await new Promise((r) => setTimeout(r, 500));

    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    await page.waitForSelector('body[data-loaded="true"]');
    const firstTable: number[] = [];
    for (let i = 0; i < NAVIGATIONS; i++) {
      const started = performance.now();
      await page.goto(`${base}/`);
      await page.waitForSelector('body[data-loaded="true"]');
      firstTable.push(performance.now() - started);
    }
    const rendered = await page.$$eval('#fleet tbody tr', (rows) => rows.length);
    const jsonMs: number[] = [];
    for (let i = 0; i < NAVIGATIONS; i++) jsonMs.push((await fleetJson()).ms);

    // The live stream for the first page's 100 rows, read for STREAM_MS.
    const keys = (await fleetJson()).page.rows.map((r) => r.key);
    const query = keys.map((k) => `key=${encodeURIComponent(k)}`).join('&');
    const abort = new AbortController();
    const response = await fetch(`${base}/events?${query}`, { headers: { authorization }, signal: abort.signal });
    let bytes = 0;
    let rowEvents = 0;
    let rowsSent = 0;
    let summaryEvents = 0;
    const timer = setTimeout(() => abort.abort(), STREAM_MS);
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (const block of decoder.decode(chunk, { stream: true }).split('\n\n')) {
          if (block.startsWith('event: rows')) {
            rowEvents++;
            rowsSent += (JSON.parse(block.slice(block.indexOf('data: ') + 6)) as unknown[]).length;
          } else if (block.startsWith('event: summary')) summaryEvents++;
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      clearTimeout(timer);
    }
    const updates = rowEvents + summaryEvents;
    const result = {
      date: new Date().toISOString(),
      targets: TARGETS,
      rowsRendered: rendered,
      firstTableMs: { median: round(median(firstTable), 0), max: round(Math.max(...firstTable), 0) },
      fleetJsonMs: { median: round(median(jsonMs), 0), max: round(Math.max(...jsonMs), 0) },
      stream: {
        seconds: STREAM_MS / 1000,
        bytes,
        rowEvents,
        rowsSent,
        summaryEvents,
        bytesPerUpdate: updates === 0 ? 0 : round(bytes / updates, 0),
        bytesPerRow: rowsSent === 0 ? 0 : round(bytes / rowsSent, 0),
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await browsers.closeAll();
    await demo.stop('SIGTERM');
    await redis.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
