// `npm run bench [-- --quick] [-- --json]`: compiles the harness and the
// library with tsc (decorator metadata: Nest must run compiled JS, not tsx),
// then runs it. Compiler output goes to stderr so that with --json stdout
// carries exactly one JSON object.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const entry = join(root, 'dist', 'bench', 'bench', 'run.js');
const started = Date.now();
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'bench', 'tsconfig.json')], {
  cwd: root,
  stdio: ['ignore', 2, 2],
});
// tsc emits even with type errors elsewhere in the tree (work in progress by
// others); only a missing entry point stops the run.
if (compiled.status !== 0) process.stderr.write(`bench: tsc exited ${compiled.status}; running the emitted JS anyway\n`);
if (!existsSync(entry)) {
  process.stderr.write(`bench: ${entry} was not emitted\n`);
  process.exit(1);
}
process.stderr.write(`bench: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
const run = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
