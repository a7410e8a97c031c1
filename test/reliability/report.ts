import type { ScenarioResult } from './scenarios';

/** Renders scenario results as the Markdown of docs/RELIABILITY.md. */
export function renderReliabilityReport(results: ScenarioResult[], meta: { command: string; date: string; machine: string }): string {
  const lines = [
    '# Reliability figures',
    '',
    'Measured by real processes: demo replicas (`node dist/apps/demo/...`), a redis-server of the',
    "suite's own, the HTTPS fleet simulator and, where named, a PostgreSQL cluster of its own.",
    '',
    `- Command: \`${meta.command}\``,
    `- Date: ${meta.date}`,
    `- Machine: ${meta.machine}`,
    '',
  ];
  for (const result of results) {
    const allOk = result.figures.every((f) => f.ok);
    lines.push(`## ${result.scenario} ${allOk ? '(all bounds met)' : '(BOUND MISSED)'}`, '');
    lines.push('| figure | measured | bound | met |', '| --- | --- | --- | --- |');
    for (const f of result.figures) lines.push(`| ${f.name} | ${String(f.value)} | ${f.bound} | ${f.ok ? 'yes' : '**no**'} |`);
    lines.push('');
    for (const note of result.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  lines.push(
    'Malformed API input (keys without `::`, control characters, unknown targets, retry or purge of a\ntarget that is not parked) is answered 400/404/409 with the reason and changes nothing; that is\nasserted by `test/e2e/api.test.ts` rather than measured here.',
  );
  return lines.join('\n');
}
