import { spawn, spawnSync, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync, mkdtempSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Tests run from the repository root (vitest's root).
const ROOT = resolve(process.cwd());
export const DEMO_ENTRY = join(ROOT, 'dist/apps/demo/apps/demo/src/main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Build output and installed packages are not sources.
      if (entry.name !== 'dist' && entry.name !== 'node_modules') newest = Math.max(newest, newestMtime(path));
    } else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the library and the demo when the build is missing or older than the sources, so
 * end-to-end tests run the same `node dist/...` a user runs. `nest start`
 * is not used: it does not forward SIGTERM to the app.
 */
export function buildDemo(): void {
  const sourcesMtime = Math.max(newestMtime(join(ROOT, 'apps')), newestMtime(join(ROOT, 'libs')));
  if (existsSync(DEMO_ENTRY) && statSync(DEMO_ENTRY).mtimeMs >= sourcesMtime) return;
  // The library package first (the demo imports its dist, as an app would), then the demo.
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface DemoProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Sends a signal and waits for the exit (bounded). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts `node dist/.../main.js` with `env` and resolves once it says it is
 * running. Without DEMO_SQLITE_PATH (or DATABASE_URL) in `env` it gets a
 * SQLite file of its own: the demo's default (./data) outlives the test run,
 * and a dead letter left there by an earlier run would be recovered into this one.
 */
export async function startDemo(env: Record<string, string>, timeoutMs = 30_000): Promise<DemoProcess> {
  const { child, output } = spawnDemo(env);
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = () => {
      const match = /running at (http:\/\/\S+)/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1].replace('[::1]', '127.0.0.1'));
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code} before starting:\n${output()}`));
    });
  });

  return {
    child,
    url,
    output,
    stop: async (signal = 'SIGTERM', stopTimeoutMs = 20_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A SQLite file path in a new temporary directory. */
export function freshSqlitePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'ap-demo-db-')), 'adaptive-polling.sqlite');
}

/** The demo's env for an external HTTPS simulator (or a proxy serving its certificate): its URL and the pin. */
export function simulatorEnv(url: string, certificate: { fingerprint256: string } | null): Record<string, string> {
  if (certificate === null) throw new Error(`the demo's pollers speak HTTPS only; ${url} serves plain HTTP`);
  return { DEMO_SIMULATOR_URL: url, DEMO_SIMULATOR_FINGERPRINT: certificate.fingerprint256 };
}

export interface DemoExit {
  code: number | null;
  output: string;
  elapsedMs: number;
}

/**
 * Runs the built demo with `env` until it exits on its own (a demo that
 * refuses its configuration), killing it after `timeoutMs`.
 */
export async function runDemoToExit(env: Record<string, string>, timeoutMs = 10_000): Promise<DemoExit> {
  const started = performance.now();
  const { child, output } = spawnDemo(env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolveExit) => child.once('close', (exitCode) => resolveExit(exitCode)));
  clearTimeout(timer);
  return { code, output: output(), elapsedMs: performance.now() - started };
}

/** `node dist/.../main.js` with `env` (a SQLite file of its own unless a database is given), its output captured. */
function spawnDemo(env: Record<string, string>): { child: ChildProcessByStdio<null, Readable, Readable>; output: () => string } {
  const database = env.DEMO_SQLITE_PATH || env.DATABASE_URL ? {} : { DEMO_SQLITE_PATH: freshSqlitePath() };
  const child = spawn(process.execPath, [DEMO_ENTRY], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...database, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}
