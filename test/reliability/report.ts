import type { ScenarioResult } from './scenarios';

/**
 * The line after which docs/RELIABILITY.md holds figures printed by the test
 * suites (not measured by this harness); a harness run keeps that part as it is.
 */
export const SUITE_FIGURES_MARKER =
  '<!-- Figures below are printed by the test suites named in each section; npm run test:reliability keeps them. -->';

/** The suite-measured part of an existing report (from the marker on), or '' when it has none. */
export function suiteFiguresOf(existing: string): string {
  const at = existing.indexOf(SUITE_FIGURES_MARKER);
  return at < 0 ? '' : existing.slice(at);
}

/** Renders scenario results as the Markdown of docs/RELIABILITY.md. */
export function renderReliabilityReport(
  results: ScenarioResult[],
  meta: { command: string; date: string; machine: string },
  suiteFigures = '',
): string {
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
  if (suiteFigures) lines.push('', suiteFigures.trimEnd());
  return `${lines.join('\n')}\n`;
}
