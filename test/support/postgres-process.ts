import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-process';

function postgresBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  return `/usr/lib/postgresql/${versions[versions.length - 1]}/bin/${name}`;
}

/** Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root). */
function runAsPostgres(tool: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  const [command, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', postgresBin(tool), ...args]] : [postgresBin(tool), args];
  const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * A PostgreSQL cluster of our own (initdb in a temp folder, trust auth, a
 * free port) that a scenario may stop and start: the machine's shared
 * server on 5432 is never stopped.
 */
export class PostgresProcess {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PostgresProcess> {
    const base = mkdtempSync(join(tmpdir(), 'ap-pg-'));
    const dataDir = join(base, 'data');
    if (process.getuid?.() === 0) {
      execFileSync('chown', ['-R', 'postgres', base]);
      chownSync(base, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), -1);
    }
    runAsPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const pg = new PostgresProcess(dataDir, await freePort());
    pg.startServer();
    runAsPostgres('createdb', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', 'polling']);
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/polling`;
  }

  startServer(): void {
    runAsPostgres('pg_ctl', [
      '-D',
      this.dataDir,
      '-w',
      '-l',
      join(this.dataDir, '..', 'server.log'),
      '-o',
      `-p ${this.port} -k ${join(this.dataDir, '..')} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  stopServer(): void {
    runAsPostgres('pg_ctl', ['-D', this.dataDir, '-w', '-m', 'fast', 'stop']);
  }

  destroy(): void {
    try {
      this.stopServer();
    } catch {
      // already stopped
    }
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }
}
