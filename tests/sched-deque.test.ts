// Scheduler groundwork (issue 4): the Chase-Lev deque and the injector of assembly/sched/,
// driven through the internal ABI hook `weft.__bench.exports()` (also inside spawned threads).
// Multi-threaded tests synchronise through atomics on SharedArrays, never through sleeps.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(4);

const x = () => weft.__bench.exports();
const L = () => weft.__bench.layout();

/** Pops or steals one job from `d` with `op`; returns its low word, or the code as a string. */
function take(op: "pop" | "steal", d: number): number | string {
  const r = x()[`sched_deque_${op}`](d);
  if (r === L().SUCCESS) return x().sched_taken_lo();
  return r === L().EMPTY ? "EMPTY" : r === L().RETRY ? "RETRY" : `code ${r}`;
}

describe("sched: Chase-Lev deque", () => {
  test("smoke: pop is LIFO, steal is FIFO, both see EMPTY at the end", () => {
    const d = x().sched_deque_new(4);
    for (let i = 1; i <= 5; i++) expect(x().sched_deque_push(d, L().JOB_JS, i)).toBe(L().SUCCESS);
    expect(x().sched_deque_len(d)).toBe(5);
    expect(take("steal", d)).toBe(1);
    expect(take("pop", d)).toBe(5);
    expect(take("steal", d)).toBe(2);
    expect(take("pop", d)).toBe(4);
    expect(take("pop", d)).toBe(3);
    expect(take("pop", d)).toBe("EMPTY");
    expect(take("steal", d)).toBe("EMPTY");
    expect(x().sched_deque_len(d)).toBe(0);
    x().sched_deque_free(d);
  });

  test("empty cases: pop and steal of a new deque, and again after it was drained both ways", () => {
    const d = x().sched_deque_new(2);
    expect(take("pop", d)).toBe("EMPTY");
    expect(take("steal", d)).toBe("EMPTY");
    for (let round = 0; round < 50; round++) { // wraps the 2-slot ring many times
      x().sched_deque_push(d, 0, round);
      expect(take(round % 2 ? "pop" : "steal", d)).toBe(round);
      expect(take("pop", d)).toBe("EMPTY");
      expect(take("steal", d)).toBe("EMPTY");
    }
    expect(x().sched_deque_capacity(d)).toBe(2); // never more than one job: never grew
    x().sched_deque_free(d);
  });

  test("job references keep both words (wasm jobs: module | index, data pointer; JS jobs: flag | aux, id)", () => {
    const d = x().sched_deque_new(2);
    const refs: [number, number][] = [[0, 0], [(3 << L().JOB_MODULE_SHIFT) | 77, 0x10008], [L().JOB_JS | 5, 0xFFFFFFFF]];
    for (const [hi, lo] of refs) x().sched_deque_push(d, hi, lo);
    for (const [hi, lo] of refs) {
      expect(x().sched_deque_steal(d)).toBe(L().SUCCESS);
      expect([x().sched_taken_hi() >>> 0, x().sched_taken_lo() >>> 0]).toEqual([hi >>> 0, lo >>> 0]);
    }
    x().sched_deque_free(d);
  });

  test("growth: across many doublings, order kept; free releases the ring and every retired ring", () => {
    const blocks = x().heap_blocks_used();
    const d = x().sched_deque_new(2);
    const n = 100_000;
    // (expect() per item is slow: count the mismatches instead.)
    let bad = 0;
    for (let i = 0; i < n; i++) if (x().sched_deque_push(d, 0, i) !== L().SUCCESS) bad++;
    expect(x().sched_deque_len(d)).toBe(n);
    expect(x().sched_deque_capacity(d)).toBe(131072); // 2 -> 2^17: 16 doublings
    for (let i = 0; i < 10; i++) if (take("steal", d) !== i) bad++;
    for (let i = n - 1; i >= n - 10; i--) if (take("pop", d) !== i) bad++;
    // Grow again while the live jobs sit in the middle of the ring (TOP > 0).
    for (let i = 0; i < n; i++) if (x().sched_deque_push(d, 1, i) !== L().SUCCESS) bad++;
    expect(x().sched_deque_len(d)).toBe(2 * n - 20);
    expect(x().sched_deque_capacity(d)).toBe(262144);
    for (let i = 10; i < n - 10; i++) if (take("steal", d) !== i) bad++;
    for (let i = n - 1; i >= 0; i--) if (take("pop", d) !== i) bad++;
    expect(bad).toBe(0);
    expect(take("pop", d)).toBe("EMPTY");
    x().sched_deque_free(d);
    expect(x().heap_blocks_used()).toBe(blocks);
  });

  test("stress: one owner pushing and popping while 3 thieves steal: every job taken exactly once", async () => {
    const n = stress(100_000);
    const counts = new weft.SharedArray(Int32Array, n + 1); // counts[id]: times job id was taken
    const flags = new weft.SharedArray(Int32Array, 2);      // [0] owner done
    const d = x().sched_deque_new(2); // tiny ring: growth happens under the thieves' feet
    const owner = weft.spawn([d, n, counts, flags], (d, n, counts, flags) => {
      const W = (globalThis as any).weft, x = W.__bench.exports(), L = W.__bench.layout();
      let taken = 0, sum = 0, grown = 0;
      const got = () => { const id = x.sched_taken_lo(); Atomics.add(counts.array, id, 1); taken++; sum += id; };
      for (let id = 1; id <= n; id++) {
        if (x.sched_deque_push(d, L.JOB_JS, id) !== L.SUCCESS) throw new Error("push failed");
        // Pop now and then (two of every five pushes), so both ends move and the last job is
        // often contended between the owner and the thieves.
        if (id % 5 === 0 || id % 5 === 3) if (x.sched_deque_pop(d) === L.SUCCESS) got();
        grown = Math.max(grown, x.sched_deque_capacity(d));
      }
      while (x.sched_deque_pop(d) === L.SUCCESS) got();
      // EMPTY from the owner: every job left was claimed (a thief that won its cmpxchg has it).
      Atomics.store(flags.array, 0, 1);
      return { taken, sum, grown };
    });
    const thieves = [0, 1, 2].map(() => weft.spawn([d, counts, flags], (d, counts, flags) => {
      const W = (globalThis as any).weft, x = W.__bench.exports(), L = W.__bench.layout();
      let taken = 0, sum = 0, retries = 0;
      for (;;) {
        const r = x.sched_deque_steal(d);
        if (r === L.SUCCESS) {
          const id = x.sched_taken_lo();
          Atomics.add(counts.array, id, 1); taken++; sum += id;
        } else if (r === L.RETRY) retries++;
        else if (Atomics.load(flags.array, 0) === 1) break; // EMPTY and the owner is done
      }
      return { taken, sum, retries };
    }));
    const results = await Promise.all([owner, ...thieves].map((h) => h.join()));
    x().sched_deque_free(d);
    const total = results.reduce((a, r) => a + r.taken, 0);
    const sum = results.reduce((a, r) => a + r.sum, 0);
    expect(total).toBe(n);
    expect(sum).toBe((n * (n + 1)) / 2);
    const a = counts.array;
    let bad = 0;
    for (let id = 1; id <= n; id++) if (a[id] !== 1) bad++;
    expect(bad).toBe(0);
    counts.drop(); flags.drop();
  });
  test("stress: the last job, raced for by the owner's pop and 3 thieves: exactly one wins each", async () => {
    const n = stress(50_000);
    const counts = new weft.SharedArray(Int32Array, n + 1);
    const flags = new weft.SharedArray(Int32Array, 1);
    const d = x().sched_deque_new(2);
    const owner = weft.spawn([d, n, counts, flags], (d, n, counts, flags) => {
      const W = (globalThis as any).weft, x = W.__bench.exports(), L = W.__bench.layout();
      let won = 0;
      for (let id = 1; id <= n; id++) {
        // One job at a time: the pop always goes for the last job (t == b), the contended path.
        x.sched_deque_push(d, L.JOB_JS, id);
        if (x.sched_deque_pop(d) === L.SUCCESS) { Atomics.add(counts.array, x.sched_taken_lo(), 1); won++; }
      }
      Atomics.store(flags.array, 0, 1);
      return won;
    });
    const thieves = [0, 1, 2].map(() => weft.spawn([d, counts, flags], (d, counts, flags) => {
      const W = (globalThis as any).weft, x = W.__bench.exports(), L = W.__bench.layout();
      let won = 0;
      for (;;) {
        const r = x.sched_deque_steal(d);
        if (r === L.SUCCESS) { Atomics.add(counts.array, x.sched_taken_lo(), 1); won++; }
        else if (r === L.EMPTY && Atomics.load(flags.array, 0) === 1) break;
      }
      return won;
    }));
    const won = await Promise.all([owner, ...thieves].map((h) => h.join()));
    x().sched_deque_free(d);
    expect(won.reduce((a, b) => a + b, 0)).toBe(n);
    let bad = 0;
    for (let id = 1; id <= n; id++) if (counts.array[id] !== 1) bad++;
    expect(bad).toBe(0);
    counts.drop(); flags.drop();
  });
  test("stress in wasm: owner and 3 thieves with no JS between operations (both pop patterns)", async () => {
    for (const mode of [0, 1]) {
      const n = stress(1_000_000);
      const counts = new weft.SharedArray(Int32Array, n + 1);
      const flags = new weft.SharedArray(Int32Array, 1);
      const at = (a: Int32Array, i = 0) => a.byteOffset + 4 * i; // addresses in the shared memory
      const d = x().sched_deque_new(2);
      const owner = weft.spawn([d, n, mode, at(counts.array), at(flags.array)], (d, n, mode, c, f) =>
        (globalThis as any).weft.__bench.exports().sched_test_deque_owner(d, n, mode, c, f));
      const thieves = [0, 1, 2].map(() => weft.spawn([d, at(counts.array), at(flags.array)], (d, c, f) =>
        (globalThis as any).weft.__bench.exports().sched_test_deque_thief(d, c, f)));
      const took = await Promise.all([owner, ...thieves].map((h) => h.join()));
      x().sched_deque_free(d);
      expect(took[0]).toBeGreaterThanOrEqual(0);
      expect(took.reduce((a, b) => a + b, 0)).toBe(n);
      let bad = 0;
      for (let id = 1; id <= n; id++) if (counts.array[id] !== 1) bad++;
      expect(bad).toBe(0);
      counts.drop(); flags.drop();
    }
  });
});

describe("sched: injector", () => {
  test("smoke: FIFO, len and isEmpty, EMPTY when drained; grows past its first ring", () => {
    const q = x().sched_injector_new();
    expect(x().sched_injector_is_empty(q)).toBe(1);
    expect(x().sched_injector_steal(q)).toBe(L().EMPTY);
    let bad = 0;
    for (let i = 0; i < 1000; i++) if (x().sched_injector_push(q, 0, i) !== L().SUCCESS) bad++;
    expect(x().sched_injector_len(q)).toBe(1000);
    expect(x().sched_injector_is_empty(q)).toBe(0);
    for (let i = 0; i < 500; i++) if (x().sched_injector_steal(q) !== L().SUCCESS || x().sched_taken_lo() !== i) bad++;
    for (let i = 1000; i < 3000; i++) x().sched_injector_push(q, 0, i); // grows with HEAD mid-ring
    for (let i = 500; i < 3000; i++) if (x().sched_injector_steal(q) !== L().SUCCESS || x().sched_taken_lo() !== i) bad++;
    expect(bad).toBe(0);
    expect(x().sched_injector_steal(q)).toBe(L().EMPTY);
    expect(x().sched_injector_len(q)).toBe(0);
    x().sched_injector_free(q);
  });

  test("mpmc: 2 producers and 2 consumers, every job taken exactly once", async () => {
    const m = stress(50_000);
    const counts = new weft.SharedArray(Int32Array, 2 * m + 1);
    const total = new weft.SharedArray(Int32Array, 1);
    const q = x().sched_injector_new();
    const producers = [0, 1].map((p) => weft.spawn([q, p, m], (q, p, m) => {
      const W = (globalThis as any).weft, x = W.__bench.exports(), L = W.__bench.layout();
      for (let i = 1; i <= m; i++) if (x.sched_injector_push(q, L.JOB_JS, p * m + i) !== L.SUCCESS) throw new Error("push");
    }));
    const consumers = [0, 1].map(() => weft.spawn([q, m, counts, total], (q, m, counts, total) => {
      const W = (globalThis as any).weft, x = W.__bench.exports(), L = W.__bench.layout();
      let taken = 0;
      while (Atomics.load(total.array, 0) < 2 * m) {
        if (x.sched_injector_steal(q) !== L.SUCCESS) continue; // EMPTY or RETRY (lock busy)
        Atomics.add(counts.array, x.sched_taken_lo(), 1);
        Atomics.add(total.array, 0, 1);
        taken++;
      }
      return taken;
    }));
    await Promise.all(producers.map((h) => h.join()));
    const taken = await Promise.all(consumers.map((h) => h.join()));
    expect(taken[0] + taken[1]).toBe(2 * m);
    let bad = 0;
    for (let id = 1; id <= 2 * m; id++) if (counts.array[id] !== 1) bad++;
    expect(bad).toBe(0);
    expect(x().sched_injector_is_empty(q)).toBe(1);
    x().sched_injector_free(q);
    counts.drop(); total.drop();
  });
});
