import { defineConfig } from 'vitest/config';

// One runner for all TypeScript tests. Engine and queue tests run real ONNX sessions and sharp,
// which are CPU heavy on a 2-core machine, so files run in few forks and with generous timeouts.
export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'main/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
