import { scaleKey } from './lib/scale-sizes';

/** The human-readable form of a bench result (what `npm run bench` prints without --json). */
export function formatReport(r: Record<string, unknown>): string {
  const lines: string[] = [];
  const m = r.machine as Record<string, unknown>;
  lines.push(`adaptive polling bench (${r.mode as string}) ${r.date as string}`);
  lines.push(
    `machine: ${m.nproc as number} cores (${m.cpuModel as string}), ${m.memoryGb as number} GB, node ${m.node as string}, redis-server ${m.redisServer as string}, load ${JSON.stringify(m.loadAverageAtStart)} -> ${JSON.stringify(m.loadAverageAtEnd)}`,
  );
  lines.push('');
  lines.push('figure                    value        goal      met');
  for (const [name, g] of Object.entries(r.goals as Record<string, { value: number | null; goal: string; met: boolean | null }>)) {
    lines.push(
      `${name.padEnd(24)}  ${String(g.value ?? '-').padStart(10)}  ${g.goal.padStart(9)}  ${g.met === null ? '-' : g.met ? 'yes' : 'NO'}`,
    );
  }
  const tp = r.throughput as { byConcurrency: Array<Record<string, number | null>> } | undefined;
  if (tp) {
    lines.push('');
    lines.push('throughput   engine polls/s  raw polls/s  ratio   engine cmd/poll  raw cmd/poll  ratio');
    for (const s of tp.byConcurrency) {
      lines.push(
        `c=${String(s.concurrency).padEnd(9)}  ${String(s.enginePollsPerSecond).padStart(14)}  ${String(s.rawPollsPerSecond).padStart(11)}  ${String(s.throughputRatio).padStart(5)}   ${String(s.engineCommandsPerPoll).padStart(15)}  ${String(s.rawCommandsPerPoll).padStart(12)}  ${String(s.redisCommandsRatio).padStart(5)}`,
      );
    }
  }
  type LatenessSides = { engine: Record<string, unknown>; raw: Record<string, unknown> };
  const late = r.lateness as (LatenessSides & { redisHz100?: LatenessSides }) | undefined;
  if (late) {
    lines.push('');
    lines.push('lateness (ms)       polls   p50    p99    max   >20ms');
    const rows: Array<[string, LatenessSides | undefined]> = [
      ['hz 10', late],
      ['hz 100', late.redisHz100],
    ];
    for (const [hz, sides] of rows) {
      if (!sides) continue;
      for (const side of ['engine', 'raw'] as const) {
        const x = sides[side];
        const d = x.latenessMs as Record<string, number>;
        lines.push(
          `${`${side} ${hz}`.padEnd(18)}  ${String(x.polls).padStart(5)}  ${String(d.p50).padStart(5)}  ${String(d.p99).padStart(5)}  ${String(d.max).padStart(5)}  ${String(x.lateOver20msShare)}`,
        );
      }
    }
  }
  const sc = r.scale as Record<string, unknown> | undefined;
  if (sc) {
    lines.push('');
    lines.push(
      `scale: ${sc.targets as number} targets; boot with ${sc.staticTargets as number} static ${sc.bootWithStaticTargetsMs as number} ms; ${sc.registryAdds as number} registry adds ${sc.registryAddTotalMs as number} ms (${sc.registryAddMsPerTarget as number} ms each)`,
    );
    lines.push(
      `  RSS ${sc.rssMb as number} MB (heap ${sc.heapUsedMb as number} MB); Redis ${sc.redisBytesPerTarget as number} B/target registered, ${sc.redisBytesPerTargetSteady as number} B/target once polled`,
    );
    const h = sc.healthMs as Record<string, number> | null;
    const s = sc.snapshotsMs as Record<string, number>;
    const hc = sc.healthCachedMs as Record<string, number> | null;
    lines.push(`  RSS after the health requests ${sc.rssAfterHealthMb as number} MB`);
    lines.push(
      `  health route, default page of 500 (HTTP ${String(sc.healthStatus)}, ${String(sc.healthBodyBytes)} bytes): uncached ${h ? `p50 ${h.p50} ms, p95 ${h.p95} ms, max ${h.max} ms (after warm-up requests of ${String(sc.healthWarmupMs)} ms)` : '-'}; default 1 s cache ${hc ? `p50 ${hc.p50} ms, p95 ${hc.p95} ms` : '-'}; engine.snapshots(): p50 ${s.p50} ms`,
    );
    const hf = sc.healthFullMs as Record<string, number> | null | undefined;
    lines.push(
      `  health route, whole document ?limit=100000 (${String((sc.healthFullBodyBytes as number | undefined) ?? '-')} bytes): uncached ${hf ? `p50 ${hf.p50} ms, p95 ${hf.p95} ms, max ${hf.max} ms` : '-'}`,
    );
  }
  const sizes = r.scaleSizes as number[] | undefined;
  if (sizes) {
    lines.push('');
    lines.push('fleet size   RSS MB  Redis B/target  register s  health p95 ms  /metrics p95 ms  series  lateness p99 ms');
    for (const targets of sizes) {
      const f = r[scaleKey(targets)] as Record<string, number | null> | undefined;
      if (!f) continue;
      const cell = (v: number | null | undefined, width: number) => String(v ?? '-').padStart(width);
      lines.push(
        `${String(targets).padEnd(10)}  ${cell(f.rssMb, 7)}  ${cell(f.redisBytesPerTarget, 14)}  ${cell(f.registerSeconds, 10)}  ${cell(f.healthP95Ms, 12)}  ${cell(f.metricsP95Ms, 15)}  ${cell(f.metricsSeries, 6)}  ${cell(f.latenessP99Ms, 15)}`,
      );
    }
  }
  const policy = r.policy as { table?: string | null; command?: string; error?: string } | undefined;
  if (policy) {
    lines.push('');
    if (policy.error) lines.push(`policy: simulator failed: ${policy.error}`);
    else if (policy.table) lines.push(policy.table);
    else lines.push(`policy: see JSON (${policy.command ?? ''})`);
  }
  return `${lines.join('\n')}\n`;
}
