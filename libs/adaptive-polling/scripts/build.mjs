// Builds the package: CommonJS, declarations and source maps from src/ into
// dist/ (flat: src/index.ts -> dist/index.js), then copies the console's
// browser assets and the operator artefacts (Grafana dashboard, Prometheus
// rules) from the repository's ops/ so each published version carries the
// ones it was tested with.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

rmSync(join(pkg, 'dist'), { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
const built = spawnSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

// The console's browser assets (plain JavaScript and CSS, not compiled) next to the code that serves them.
cpSync(join(pkg, 'src', 'nest', 'console', 'assets'), join(pkg, 'dist', 'nest', 'console', 'assets'), { recursive: true });

const ops = join(pkg, '..', '..', 'ops');
if (existsSync(ops)) {
  rmSync(join(pkg, 'ops'), { recursive: true, force: true });
  for (const entry of ['grafana', 'prometheus', 'metric-catalogue.json']) {
    // The promtool unit tests of the rules stay in the repository.
    cpSync(join(ops, entry), join(pkg, 'ops', entry), { recursive: true, filter: (src) => !src.endsWith('.test.yml') });
  }
}
