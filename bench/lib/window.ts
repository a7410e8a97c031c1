import { Redis } from 'ioredis';
import { commandCalls, diffCalls, perPoll, redisCpuSeconds, totalCalls, type CommandCalls } from './redis-info';
import { round, sleep } from './stats';

export interface WindowResult {
  polls: number;
  seconds: number;
  pollsPerSecond: number;
  commands: number;
  commandsPerPoll: number;
  commandsPerPollByName: Record<string, number>;
  /** Node CPU (user+sys) ms spent per poll in this process. */
  nodeCpuMsPerPoll: number;
  /** Redis server CPU ms per poll. */
  redisCpuMsPerPoll: number;
}

/**
 * Waits out the warm-up, then measures polls, Redis commands (INFO
 * commandstats delta: every command Redis executed, including those run
 * inside BullMQ's Lua scripts) and CPU over the window.
 */
export async function measureWindow(redisUrl: string, pollCount: () => number, warmupMs: number, measureMs: number): Promise<WindowResult> {
  const stats = new Redis(redisUrl, { connectionName: 'bench:stats' });
  try {
    await sleep(warmupMs);
    const calls0: CommandCalls = await commandCalls(stats);
    const rcpu0 = await redisCpuSeconds(stats);
    const polls0 = pollCount();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(measureMs);
    const polls1 = pollCount();
    const t1 = performance.now();
    const cpu1 = process.cpuUsage(cpu0);
    const calls1 = await commandCalls(stats);
    const rcpu1 = await redisCpuSeconds(stats);
    const polls = polls1 - polls0;
    const seconds = (t1 - t0) / 1000;
    const calls = diffCalls(calls0, calls1);
    // the stats client's own commands: 2 INFO excluded by commandCalls
    const commands = totalCalls(calls);
    return {
      polls,
      seconds: round(seconds, 3) as number,
      pollsPerSecond: round(polls / seconds, 1) as number,
      commands,
      commandsPerPoll: round(commands / Math.max(1, polls), 3) as number,
      commandsPerPollByName: perPoll(calls, Math.max(1, polls)),
      nodeCpuMsPerPoll: round((cpu1.user + cpu1.system) / 1000 / Math.max(1, polls), 4) as number,
      redisCpuMsPerPoll: round(((rcpu1 - rcpu0) * 1000) / Math.max(1, polls), 4) as number,
    };
  } finally {
    stats.disconnect();
  }
}
