// The work-stealing pool (ts/sched/pool.ts over assembly/sched/registry.ts + worker.ts):
// rayon's ThreadPool install / spawn / broadcast / join / scope, errors, several pools, the
// built-in wasm kernel with a join at every call. Everything synchronises through the pool's
// latches; no sleeps.
import { describe, test, expect, afterAll } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(2);

type W = typeof weft;
declare const globalThis: { weft: W };

describe("sched: ThreadPool", () => {
  test("install runs the function in a worker and gives its result", async () => {
    const pool = weft.ThreadPool.create({ threads: 2 });
    try {
      expect(await pool.install(() => 6 * 7)).toBe(42);
      expect(await pool.install([3, 4], (a: number, b: number) => a + b)).toBe(7);
      const idx = await pool.install(() => globalThis.weft.ThreadPool.currentThreadIndex());
      expect([0, 1]).toContain(idx);
      expect(weft.ThreadPool.currentThreadIndex()).toBe(null);
    } finally { await pool.shutdown(); }
  });

  test("join from outside gives both results", async () => {
    const pool = weft.ThreadPool.create({ threads: 2 });
    try {
      expect(await pool.join(() => "a", () => "b")).toEqual(["a", "b"]);
      expect(await pool.join([2], (n: number) => n * 10, [5], (n: number) => n + 1)).toEqual([20, 6]);
    } finally { await pool.shutdown(); }
  });
});
