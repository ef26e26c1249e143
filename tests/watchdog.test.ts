// The per-test watchdog itself: a test blocked in a synchronous wait (where vitest's own timeout
// cannot fire) is killed and reported as failed, instead of hanging CI.
import { it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

it("kills a test blocked forever in Atomics.wait and fails the run, naming the test", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [
    "node_modules/vitest/vitest.mjs", "run", "--config", "tests/fixtures/watchdog/vitest.config.ts",
  ], { cwd: root, encoding: "utf8", env: { ...process.env, WEFT_WATCHDOG_MS: "1500" }, timeout: 50_000 });
  const out = r.stdout + r.stderr;
  expect(r.status).not.toBe(0);
  expect(out).toContain("WATCHDOG: test 'blocks its thread forever in a synchronous wait' blocked for more than 1500 ms");
  expect(Date.now() - t0).toBeLessThan(45_000);
});
