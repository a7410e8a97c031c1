import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The core stays framework-free: no Nest, BullMQ, ioredis or TypeORM, so the
 * rules can be tested and reused without any of them. This test reads every
 * core source file's import specifiers and fails on a forbidden one.
 */
const CORE_DIR = join(process.cwd(), 'libs/adaptive-polling/src/core');
const FORBIDDEN = [/^@nestjs\//, /^bullmq$/, /^ioredis$/, /^typeorm$/, /^@bull-board\//, /^prom-client$/, /^redis$/];
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    // This file's own fixture text names the forbidden packages on purpose.
    return entry.name.endsWith('.ts') && entry.name !== 'core-boundary.spec.ts' ? [path] : [];
  });
}

export function importsOf(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe('core boundary', () => {
  it('finds import specifiers of every form (so the check below can fail)', () => {
    const text = `import { Injectable } from '@nestjs/common';\nexport * from 'bullmq';\nconst r = require('ioredis');\nconst t = await import('typeorm');`;
    expect(importsOf(text)).toEqual(['@nestjs/common', 'bullmq', 'ioredis', 'typeorm']);
  });

  it('core/ imports nothing from Nest, BullMQ, ioredis or TypeORM', () => {
    const files = sourceFiles(CORE_DIR);
    expect(files.length).toBeGreaterThan(10);
    const offending: string[] = [];
    for (const file of files) {
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (FORBIDDEN.some((rule) => rule.test(specifier))) offending.push(`${relative(CORE_DIR, file)} imports ${specifier}`);
        if (specifier.startsWith('.') && /\.\.\/(engine|nest)\b/.test(specifier)) {
          offending.push(`${relative(CORE_DIR, file)} reaches out of core: ${specifier}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});
