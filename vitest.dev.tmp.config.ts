import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: { root: '/work/wt-proxy', include: ['test/integration/proxy.test.ts'], testTimeout: 600_000, hookTimeout: 900_000, fileParallelism: false },
});
