import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { eventually } from './events';
import { freePort } from './redis-process';

const run = promisify(execFile);
const HOST = '127.0.0.1';

/** One redis-server of the cluster: its client port, cluster bus port and process. */
export interface ClusterNodeProcess {
  port: number;
  busPort: number;
  child: ChildProcess;
}

/**
 * A private Redis Cluster of 6 redis-server processes (3 masters, 3 replicas)
 * on free ports, in a temp dir, for one test file. Never the shared Redis on
 * 6379. The bus port is asked for too (`--cluster-port`): port + 10000 may be
 * taken or beyond 65535.
 */
export class RedisClusterProcess {
  private constructor(
    readonly nodes: ClusterNodeProcess[],
    private readonly dir: string,
  ) {}

  static async start(size = 6): Promise<RedisClusterProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'ap-redis-cluster-'));
    const nodes: ClusterNodeProcess[] = [];
    const cluster = new RedisClusterProcess(nodes, dir);
    try {
      const ports = new Set<number>();
      while (ports.size < size * 2) ports.add(await freePort());
      const [clientPorts, busPorts] = [[...ports].slice(0, size), [...ports].slice(size)];
      for (const [i, port] of clientPorts.entries()) {
        const child = spawn(
          'redis-server',
          [
            ...['--port', String(port), '--bind', HOST, '--cluster-port', String(busPorts[i])],
            ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)],
            ...['--cluster-node-timeout', '1000', '--save', '', '--appendonly', 'no', '--dir', dir],
            // Replicas sync at once (the default waits 5 s): one that never synced cannot take over.
            ...['--repl-diskless-sync-delay', '0'],
          ],
          { stdio: 'ignore' },
        );
        nodes.push({ port, busPort: busPorts[i], child });
      }
      for (const node of nodes) await cluster.waitForPing(node.port);
      await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
      await cluster.waitUntilOk();
      await cluster.waitForReplicas();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Startup nodes for an ioredis Cluster. */
  get startupNodes(): Array<{ host: string; port: number }> {
    return this.nodes.map((n) => ({ host: HOST, port: n.port }));
  }

  /** A new ioredis Cluster client on this cluster (the caller closes it). */
  client(): Cluster {
    return new Cluster(this.startupNodes, { redisOptions: { maxRetriesPerRequest: null } });
  }

  /** Runs one command on one node (a plain connection, not the cluster client). */
  async onNode<T>(port: number, command: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await redis.connect();
      return await command(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** Ports of the live nodes that are masters now. */
  async masterPorts(): Promise<number[]> {
    const masters: number[] = [];
    for (const node of this.live()) {
      const role = await this.onNode(node.port, (r) => r.call('ROLE') as Promise<unknown[]>).catch(() => null);
      if (role?.[0] === 'master') masters.push(node.port);
    }
    return masters;
  }

  /** The port of the master that serves a key's slot now. */
  async masterOf(key: string): Promise<number> {
    const slot = await this.onNode(this.live()[0].port, (r) => r.call('CLUSTER', 'KEYSLOT', key) as Promise<number>);
    const slots = (await this.onNode(this.live()[0].port, (r) => r.call('CLUSTER', 'SLOTS'))) as Array<[number, number, [string, number]]>;
    const range = slots.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    return Number(range[2][1]);
  }

  /** SIGKILLs one node's process (a crashed master). */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    // A process killed by a signal has signalCode set and exitCode null: waiting for its exit again would hang.
    if (!node || !this.isLive(node)) return;
    const exited = new Promise((r) => node.child.once('exit', r));
    node.child.kill('SIGKILL');
    await exited;
  }

  /** Waits until every live node reports `cluster_state:ok`. */
  async waitUntilOk(timeoutMs = 30_000): Promise<void> {
    await eventually(
      async () => {
        for (const node of this.live()) {
          const info = await this.onNode(node.port, (r) => r.cluster('INFO')).catch(() => '');
          if (!info.includes('cluster_state:ok')) return false;
        }
        return true;
      },
      'every cluster node reports cluster_state:ok',
      timeoutMs,
      100,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.port)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Waits until every replica's link to its master is up (its initial sync is done). */
  async waitForReplicas(timeoutMs = 30_000): Promise<void> {
    await eventually(
      async () => {
        for (const node of this.live()) {
          const info = await this.onNode(node.port, (r) => r.info('replication')).catch(() => '');
          if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
        }
        return true;
      },
      'every replica is in sync with its master',
      timeoutMs,
      100,
    );
  }

  private live(): ClusterNodeProcess[] {
    return this.nodes.filter((n) => this.isLive(n));
  }

  private isLive(node: ClusterNodeProcess): boolean {
    return node.child.exitCode === null && node.child.signalCode === null;
  }

  private async waitForPing(port: number): Promise<void> {
    await eventually(
      () =>
        this.onNode(port, (r) => r.ping()).then(
          (pong) => pong === 'PONG',
          () => false,
        ),
      `redis-server on ${port} answers`,
      10_000,
    );
  }
}
