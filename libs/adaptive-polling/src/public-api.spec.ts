import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The exported names of every entry point (values and types), compared with
 * the committed list in api/public-api.json: any change to the public surface
 * shows up here and must be made on purpose (update the list in the same
 * change). Regenerate the list with `UPDATE_PUBLIC_API=1 npx vitest run public-api`.
 */
const PACKAGE_DIR = join(__dirname, '..');
const LIST_FILE = join(PACKAGE_DIR, 'api', 'public-api.json');

function entryPoints(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types?: string }>;
  };
  const entries: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string' || !target.types) continue; // package.json, ops/*
    // dist/<name>.d.ts is built from src/<name>.ts (flat layout, rootDir src).
    entries[subpath] = join(PACKAGE_DIR, target.types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));
  }
  return entries;
}

/** Every exported name per entry, and those that exist at run time (not only as types). */
function exportedNames(files: Record<string, string>): { names: Record<string, string[]>; values: Record<string, string[]> } {
  const program = ts.createProgram(Object.values(files), {
    experimentalDecorators: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    types: ['node'],
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const names: Record<string, string[]> = {};
  const values: Record<string, string[]> = {};
  for (const [entry, file] of Object.entries(files)) {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    if (!symbol) throw new Error(`cannot read the exports of ${file}`);
    const exported = checker.getExportsOfModule(symbol);
    names[entry] = exported.map((s) => s.getName()).sort();
    const isValue = (s: ts.Symbol) =>
      ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value) !== 0;
    values[entry] = exported
      .filter(isValue)
      .map((s) => s.getName())
      .sort();
  }
  return { names, values };
}

describe('public API', () => {
  const { names: actual, values } = exportedNames(entryPoints());

  it('every entry point exports exactly the committed names (api/public-api.json)', () => {
    if (process.env.UPDATE_PUBLIC_API) {
      writeFileSync(LIST_FILE, `${JSON.stringify(actual, null, 2)}\n`);
    }
    const committed = JSON.parse(readFileSync(LIST_FILE, 'utf8')) as Record<string, string[]>;
    expect(actual).toEqual(committed);
  });

  it('the root entry stays small and exports no engine internals, label helpers, locks or builders', () => {
    const root = actual['.'];
    // Run-time names: the module, decorators, services, errors and policy helpers; the rest are types.
    expect(values['.'].length).toBeLessThanOrEqual(40);
    for (const internal of [
      'PollingEngine',
      'PollingEngineHost',
      'RedisLock',
      'boundedLabel',
      'buildSchedulerHealth',
      'targetStateFromJobData',
      'stableHash',
    ]) {
      expect(root).not.toContain(internal);
    }
  });
});
