import { defineConfig } from 'vitest/config';

// Three projects, one run: pure unit tests beside the code, integration tests against the real
// local control plane (started once per run by the global setup), and browser tests in Debian's
// Chromium against the real engine.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one `N passed, N failed` line for all three projects.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'common/**/*.test.ts', 'test/architecture/**/*.test.ts', 'renderer/src/**/*.test.ts', 'renderer/src/**/*.test.tsx', 'scripts/**/*.test.ts', 'test/helpers/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
