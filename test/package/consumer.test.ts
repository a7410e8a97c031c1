import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * The package as a user gets it: `npm pack`, a fresh Nest app in a folder
 * outside the repository with its own package.json (registry packages plus
 * the tarball) and a `strict` tsconfig, `npm install`, `tsc`, then the app
 * started on a private Redis. Two variants: the required peers only, and
 * persistence (SQLite) plus Prometheus through their subpaths.
 */
const REPO = resolve(__dirname, '..', '..');
const APP_SOURCES = join(__dirname, 'consumer-app');
const API_TOKEN = 'consumer-test-token-0123456789';
const OPTIONAL_PEERS = [
  'typeorm',
  '@nestjs/typeorm',
  'better-sqlite3',
  'pg',
  '@bull-board',
  '@nestjs/terminus',
  '@nestjs/swagger',
  'prom-client',
];

const rootPackage = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const pinned = (name: string) => {
  const version = rootPackage.devDependencies[name];
  if (!version) throw new Error(`${name} is not pinned in the root package.json`);
  return version;
};
const REQUIRED = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'bullmq', 'ioredis', 'reflect-metadata', 'rxjs'];
const INTEGRATIONS = ['typeorm', '@nestjs/typeorm', 'better-sqlite3', 'prom-client', '@willsoto/nestjs-prometheus'];

interface Variant {
  name: string;
  dependencies: string[];
  files: string[];
  withIntegrations: boolean;
}

const variants: Variant[] = [
  { name: 'required peers only', dependencies: REQUIRED, files: ['main.ts'], withIntegrations: false },
  {
    name: 'persistence (SQLite) and Prometheus',
    dependencies: [...REQUIRED, ...INTEGRATIONS],
    files: ['main.ts', 'integrations.ts'],
    withIntegrations: true,
  },
];

let workDir = '';
let tarball = '';
let redis: PrivateRedis;

function run(command: string, args: string[], cwd: string): { status: number; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_yes: 'true' } });
  return { status: result.status ?? 1, output: `${result.stdout}\n${result.stderr}` };
}

function expectSuccess(result: { status: number; output: string }, what: string): void {
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.output.slice(-4000)}`);
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'ap-consumer-'));
  const packed = run('npm', ['pack', '-w', 'nestjs-adaptive-polling', '--pack-destination', workDir, '--silent'], REPO);
  expectSuccess(packed, 'npm pack');
  tarball = join(workDir, readdirSync(workDir).find((f) => f.endsWith('.tgz')) ?? '');
  redis = await startPrivateRedis();
}, 300_000);

afterAll(async () => {
  await redis?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Resolves once `predicate` holds for the output so far; rejects on exit or after the bound. */
function waitForOutput(child: ChildProcess, output: () => string, predicate: (text: string) => boolean, what: string, timeoutMs = 60_000) {
  return new Promise<void>((resolvePromise, reject) => {
    const check = () => {
      if (predicate(output())) finish();
    };
    const onExit = (code: number | null) => fail(new Error(`the app exited (${code}) before ${what}:\n${output().slice(-3000)}`));
    const timer = setTimeout(
      () => fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${output().slice(-3000)}`)),
      timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', onExit);
    };
    const finish = () => {
      cleanup();
      resolvePromise();
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    child.stdout?.on('data', check);
    child.on('exit', onExit);
    check();
  });
}

describe.each(variants)('the packed package in a fresh app: $name', (variant) => {
  let appDir = '';

  beforeAll(() => {
    appDir = join(workDir, variant.withIntegrations ? 'with-integrations' : 'required-only');
    const dependencies: Record<string, string> = { 'nestjs-adaptive-polling': `file:${tarball}` };
    for (const name of variant.dependencies) dependencies[name] = pinned(name);
    const pkg = {
      name: 'adaptive-polling-consumer',
      version: '1.0.0',
      private: true,
      dependencies,
      devDependencies: { typescript: pinned('typescript'), '@types/node': pinned('@types/node') },
      allowScripts: { 'better-sqlite3': true, 'msgpackr-extract': true },
    };
    rmSync(appDir, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', appDir]);
    writeFileSync(join(appDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    for (const file of [...variant.files, 'tsconfig.json']) copyFileSync(join(APP_SOURCES, file), join(appDir, file));
    expectSuccess(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], appDir), 'npm install');
  }, 600_000);

  it('installs, and compiles with strict', () => {
    if (!variant.withIntegrations) {
      for (const peer of OPTIONAL_PEERS) expect(existsSync(join(appDir, 'node_modules', peer)), `${peer} is installed`).toBe(false);
    }
    expectSuccess(run(process.execPath, [join(appDir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', appDir], appDir), 'tsc');
  });

  it('boots on a private Redis, polls its custom type at least 3 times, and guards the health route', async () => {
    let output = '';
    const child = spawn(process.execPath, [join(appDir, 'dist', 'main.js')], {
      cwd: appDir,
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        API_TOKEN,
        WITH_INTEGRATIONS: variant.withIntegrations ? '1' : '0',
        SQLITE_PATH: join(appDir, 'data', 'polling.sqlite'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitForOutput(
        child,
        () => output,
        (text) => /POLLED widget::w1 3\b/.test(text) && /LISTENING /.test(text),
        '3 polls of widget::w1',
      );
      const base = /LISTENING (\S+)/.exec(output)?.[1] ?? '';
      const health = `${base}/api/monitoring/scheduler/health`;
      expect((await fetch(health, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status).toBe(200);
      expect((await fetch(health)).status).toBe(401);
      if (variant.withIntegrations) {
        const metrics = await (await fetch(`${base}/metrics`)).text();
        expect(metrics).toMatch(/pulse_monitor_poll_total\{[^}]*instance_type="widget"[^}]*result="success"[^}]*\} [1-9]/);
        expect(existsSync(join(appDir, 'data', 'polling.sqlite'))).toBe(true);
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });

  it.runIf(!variant.withIntegrations)('requiring a subpath whose peers are missing names the packages to install', () => {
    const result = run(process.execPath, ['-e', "require('nestjs-adaptive-polling/persistence')"], appDir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('nestjs-adaptive-polling/persistence needs typeorm, @nestjs/typeorm');
    expect(result.output).toContain('npm install typeorm @nestjs/typeorm');
  });
});
