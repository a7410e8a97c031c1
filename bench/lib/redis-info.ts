import type { Redis } from 'ioredis';

/** Parsed `INFO commandstats`: calls per command (the INFO calls of the harness itself excluded). */
export type CommandCalls = Record<string, number>;

export async function commandCalls(redis: Redis): Promise<CommandCalls> {
  const text = await redis.info('commandstats');
  const calls: CommandCalls = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (!m) continue;
    const name = m[1];
    if (name === 'info') continue;
    calls[name] = Number(m[2]);
  }
  return calls;
}

export function diffCalls(before: CommandCalls, after: CommandCalls): CommandCalls {
  const out: CommandCalls = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d > 0) out[name] = d;
  }
  return out;
}

export function totalCalls(calls: CommandCalls): number {
  return Object.values(calls).reduce((s, n) => s + n, 0);
}

/** Calls that come from clients (scripts count once, as EVALSHA) vs run inside Lua scripts. */
export function perPoll(calls: CommandCalls, polls: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(calls).sort((a, b) => b[1] - a[1])) out[name] = Math.round((n / polls) * 1000) / 1000;
  return out;
}

export async function infoField(redis: Redis, section: string, field: string): Promise<number> {
  const text = await redis.info(section);
  const m = new RegExp(`^${field}:([\\d.]+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Redis server CPU seconds (user + sys) so far. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const text = await redis.info('cpu');
  const user = Number(/^used_cpu_user:([\d.]+)/m.exec(text)?.[1] ?? NaN);
  const sys = Number(/^used_cpu_sys:([\d.]+)/m.exec(text)?.[1] ?? NaN);
  return user + sys;
}
