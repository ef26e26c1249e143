#!/usr/bin/env node
// `npm test`: builds, runs every vitest suite (under the per-test watchdog and an overall time
// limit), and ends with a plain summary line "N passed, N failed, N skipped".
import { spawnSync, spawn } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const limitMs = Number(process.env.WEFT_TEST_LIMIT_MS ?? 40 * 60_000);

if (!process.argv.includes("--no-build")) {
  const b = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
  if (b.status !== 0) { console.log("0 passed, 1 failed (build)"); process.exit(1); }
  const t = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
  if (t.status !== 0) { console.log("0 passed, 1 failed (typecheck)"); process.exit(1); }
}

mkdirSync(`${root}build`, { recursive: true });
const report = `${root}build/test-report.json`;
const extra = process.argv.slice(2).filter((a) => a !== "--no-build");
const child = spawn(process.execPath, [
  "node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra,
], { cwd: root, stdio: "inherit" });
const killer = setTimeout(() => { console.error(`\nWATCHDOG: the test run exceeded ${limitMs} ms`); child.kill("SIGKILL"); }, limitMs);
child.on("exit", (code) => {
  clearTimeout(killer);
  let passed = 0, failed = 0, skipped = 0;
  try {
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed = r.numPassedTests; failed = r.numFailedTests; skipped = r.numPendingTests + (r.numTodoTests ?? 0);
    // A file that crashed (watchdog kill, load error) has no tests counted: count it as a failure.
    failed += r.testResults.filter((f) => f.status === "failed" && f.assertionResults.every((a) => a.status !== "failed")).length;
  } catch { failed += 1; }
  // A crashed test process (watchdog kill) or an unhandled error fails the run even when no
  // single test is marked failed: count it.
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
