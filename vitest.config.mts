import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// One `vitest run` runs every project: unit tests of the pure core and the
// fleet simulator, then integration and end-to-end suites that start their
// own private redis-server (never the shared one on 6379). The Redis Cluster
// suites (6 redis-server processes each) run only with `npm run test:cluster`.
const clusterRun = process.env.AP_TEST_CLUSTER === '1';
export default defineConfig({
  resolve: {
    alias: [
      // The package by name, as users import it, on its sources (one module instance with the tests' relative imports).
      { find: /^nestjs-adaptive-polling$/, replacement: here('./libs/adaptive-polling/src/index.ts') },
      { find: /^nestjs-adaptive-polling\/([a-z-]+)$/, replacement: here('./libs/adaptive-polling/src/$1.ts') },
      { find: /^@app\/fleet-sim$/, replacement: here('./libs/fleet-sim/src/index.ts') },
      { find: /^@app\/fleet-sim\/(.*)$/, replacement: here('./libs/fleet-sim/src/$1') },
    ],
  },
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/e2e/api.test.ts',
            'test/e2e/targets-api.test.ts',
            'test/e2e/bull-board-jobs.test.ts',
            'test/e2e/metrics.test.ts',
            'test/e2e/ops-rules.test.ts',
          ],
          exclude: ['test/integration/bench-harness.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file starts its own redis-server; two at a time fits 2 cores.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'processes',
          // Suites that run the built demo as separate processes and measure
          // time (takeover after kill -9, shutdown, soak): one file at a time,
          // so a neighbour's load does not skew what they measure.
          include: [
            'test/e2e/demo-acceptance.test.ts',
            'test/e2e/demo-https.test.ts',
            'test/e2e/demo-configuration.test.ts',
            'test/e2e/reliability.test.ts',
            'test/e2e/bull-board.test.ts',
            'test/e2e/console.test.ts',
            'test/e2e/poison-target.test.ts',
            'test/e2e/demo-redis-unreachable.test.ts',
            'test/integration/bench-harness.test.ts',
            'test/package/consumer.test.ts',
          ],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      ...(clusterRun
        ? [
            {
              extends: true as const,
              test: {
                name: 'cluster',
                include: ['test/cluster/**/*.test.ts'],
                testTimeout: 120_000,
                hookTimeout: 120_000,
                maxWorkers: 1,
                sequence: { groupOrder: 3 },
              },
            },
          ]
        : []),
    ],
  },
});
