import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Each test file gets its own process: a test blocked in a synchronous wait can then be
    // killed by the watchdog (tests/setup/watchdog.ts) without taking other files down.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    setupFiles: ["tests/setup/watchdog.ts"],
  },
});
