import type { BodyMode } from './result-hash';
import type { PolicyRun } from './simulate';

/** Plain-text tables for `npm run simulate` (one per policy, then a summary). */

function formatSeconds(value: number | null): string {
  if (value === null) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function formatInt(value: number): string {
  return value.toLocaleString('en-US');
}

function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const BODIES_TEXT: Record<BodyMode, string> = {
  signal: 'realistic Proxmox bodies, hashed through the ready-made change signal',
  'whole-body': 'realistic Proxmox bodies, hashed whole (no change signal)',
  idealised: "the behaviour model's data (changes only at change times)",
};

export function formatReport(runs: readonly PolicyRun[], context: { fleetPath: string; targets: number }): string {
  const out: string[] = [];
  const first = runs[0];
  if (first === undefined) return '';
  out.push(`fleet ${context.fleetPath}: ${context.targets} targets, ${first.hours} h virtual time, seed ${first.seed}`);
  const fixed = runs.find((r) => r.policy === 'fixed');
  for (const run of runs) {
    const o = run.options.intervals;
    const share = fixed && fixed !== run ? ` (${((100 * run.polls) / fixed.polls).toFixed(1)} % of fixed)` : '';
    out.push('');
    out.push(
      `policy ${run.label}: ${formatInt(run.polls)} polls${share}  [base ${formatDuration(o.baseMs)}, min ${formatDuration(o.minMs)}, max ${formatDuration(o.maxMs)}]`,
    );
    out.push(`successful polls hash ${BODIES_TEXT[run.bodies]}`);
    const rows = Object.entries(run.entries).map(([name, e]) => [
      name,
      String(e.targets),
      formatInt(e.polls),
      (e.polls / e.targets / run.hours).toFixed(1),
      formatInt(e.changedPolls),
      formatInt(e.changes),
      formatSeconds(e.detectionP50Seconds),
      formatSeconds(e.detectionP95Seconds),
      formatSeconds(e.detectionMaxSeconds),
      formatInt(e.failedPolls),
      formatSeconds(e.recoveryDetectionSeconds),
    ]);
    out.push(
      table(
        [
          'entry',
          'targets',
          'polls',
          'polls/target/h',
          'changed polls',
          'changes',
          'detect p50 s',
          'p95 s',
          'max s',
          'failed polls',
          'recovery s',
        ],
        rows,
      ),
    );
  }
  if (runs.length > 1) {
    out.push('');
    out.push('summary');
    out.push(
      table(
        ['policy', 'polls', '% of fixed'],
        runs.map((r) => [r.label, formatInt(r.polls), fixed ? ((100 * r.polls) / fixed.polls).toFixed(1) : '-']),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
