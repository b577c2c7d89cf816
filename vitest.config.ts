import { defineConfig } from 'vitest/config';
import { suiteLabCount } from './test/lab/suite-labs.ts';
import { EXECUTABLE_ENV } from './test/support/cli.ts';
import { EXECUTABLE } from './test/support/executable.ts';

// as many integration files at once as the suite has labs (test/lab/suite-labs.ts), each on a lab of its own;
// the unit files run in the same workers, so the two projects share one pool of that size
const workers = suiteLabCount();

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/conformance/local.test.ts'],
          maxWorkers: Math.max(2, workers),
          // a guard against a hang, not a timing assertion: tests that start dockhand's CLI wait for Node.js
          // to start, which takes seconds on a busy 2-core machine
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/conformance/ssh.test.ts'],
          globalSetup: ['test/lab/global-setup.ts'],
          setupFiles: ['test/lab/worker-lab.ts'],
          // the integration files run dockhand's single executable, as users do (the global setup builds it)
          env: { [EXECUTABLE_ENV]: EXECUTABLE },
          // one file per lab at a time: the workers running at once have distinct VITEST_POOL_IDs
          maxWorkers: workers,
          testTimeout: 120_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
