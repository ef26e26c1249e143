// Once and OnceLock: run-once across threads, waiting callers, poisoning, async forms, values.
import { describe, test, expect } from "vitest";
import { weft, useWeft, stress } from "./helpers";

useWeft(2);

// First in the file: no spawned task has run yet, so no worker frees heap blocks concurrently.
test("OnceLock: dropping the last handle frees the stored value", () => {
  const before = weft.stats().heapBlocks;
  const cell = new weft.OnceLock();
  cell.set({ big: "x".repeat(1000), list: [1, 2, 3] });
  expect(weft.stats().heapBlocks).toBeGreaterThan(before);
  cell.drop();
  expect(weft.stats().heapBlocks).toBe(before);
});

describe("Once", () => {
  test("callOnce runs the function once; later calls do nothing", () => {
    using once = new weft.Once();
    let runs = 0;
    expect(once.isCompleted()).toBe(false);
    once.callOnce(() => { runs++; });
    once.callOnce(() => { runs++; });
    expect(runs).toBe(1);
    expect(once.isCompleted()).toBe(true);
    expect(once.waitTimeout(0)).toBe(true);
  });

  test("raced by many threads, each Once runs exactly once and is complete for every caller", async () => {
    const n = stress(40);
    const onces = Array.from({ length: n }, () => new weft.Once());
    using runs = new weft.Mutex(0);
    using start = new weft.Barrier(5);
    const hs = [0, 1, 2, 3].map(() => weft.spawn([onces, runs, start], (onces, runs, start) => {
      let incomplete = 0;
      start.wait();
      for (const once of onces) {
        once.callOnce(() => { const g = runs.lock(); g.value += 1; g.unlock(); });
        if (!once.isCompleted()) incomplete++;
      }
      return incomplete;
    }));
    start.wait();
    for (const once of onces) once.callOnce(() => { const g = runs.lock(); g.value += 1; g.unlock(); });
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual([0, 0, 0, 0]);
    const g = runs.lock(); expect(g.value).toBe(n); g.unlock();
    for (const o of onces) o.drop();
  });

  test("callers block while another thread runs the function, then return without running theirs", async () => {
    using once = new weft.Once();
    using started = new weft.Semaphore(0);
    using go = new weft.Semaphore(0);
    const h = weft.spawn([once, started, go], (once, started, go) => {
      once.callOnce(() => { started.release(); go.acquire(); });
      return once.isCompleted();
    });
    started.acquire();
    let mine = 0;
    expect(once.callOnceTimeout(() => { mine++; }, 5)).toBe(false);
    expect(once.waitTimeout(1)).toBe(false);
    expect(once.isCompleted()).toBe(false);
    const blocked = weft.spawn([once], (once) => { let ran = false; once.callOnce(() => { ran = true; }); return ran; });
    const waiting = once.callOnceAsync(() => { mine++; });
    go.release();
    await waiting;
    expect(mine).toBe(0);
    expect(await h.join()).toBe(true);
    expect(await blocked.join()).toBe(false);
  });

  test("a throwing function poisons the Once: the error propagates, later calls throw OncePoisonedError", async () => {
    using once = new weft.Once();
    expect(() => once.callOnce(() => { throw new RangeError("boom"); })).toThrow(RangeError);
    expect(once.isCompleted()).toBe(false);
    let runs = 0;
    expect(() => once.callOnce(() => { runs++; })).toThrow(weft.OncePoisonedError);
    expect(() => once.wait()).toThrow(weft.OncePoisonedError);
    await expect(once.callOnceAsync(() => { runs++; })).rejects.toBeInstanceOf(weft.OncePoisonedError);
    const h = weft.spawn([once], (once) => {
      try { once.callOnce(() => {}); return "ran"; } catch (e) { return (e as Error).name; }
    });
    expect(await h.join()).toBe("OncePoisonedError");
    expect(runs).toBe(0);
  });

  test("callOnceForce runs over a poisoned Once, is told so, and un-poisons it on success", () => {
    using once = new weft.Once();
    const seen: boolean[] = [];
    expect(() => once.callOnceForce((s) => { seen.push(s.isPoisoned); throw new Error("first"); })).toThrow("first");
    expect(() => once.callOnceForce((s) => { seen.push(s.isPoisoned); throw new Error("second"); })).toThrow("second");
    once.callOnceForce((s) => { seen.push(s.isPoisoned); });
    once.callOnceForce((s) => { seen.push(s.isPoisoned); }); // complete: not run
    once.callOnce(() => { seen.push(true); });
    expect(seen).toEqual([false, true, true]);
    expect(once.isCompleted()).toBe(true);
  });

  test("a panic in another thread poisons the Once and wakes its waiters with OncePoisonedError", async () => {
    using once = new weft.Once();
    using started = new weft.Semaphore(0);
    using go = new weft.Semaphore(0);
    const h = weft.spawn([once, started, go], (once, started, go) => {
      once.callOnce(() => { started.release(); go.acquire(); throw new Error("init failed"); });
    });
    started.acquire();
    const waiter = once.callOnceAsync(() => {});
    const waitingToo = once.waitAsync();
    go.release();
    await expect(waiter).rejects.toBeInstanceOf(weft.OncePoisonedError);
    await expect(waitingToo).rejects.toBeInstanceOf(weft.OncePoisonedError);
    await expect(h.join()).rejects.toThrow(/init failed/);
  });

  test("callOnceAsync awaits an async function; concurrent async callers wait for it", async () => {
    using once = new weft.Once();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let runs = 0;
    const first = once.callOnceAsync(async () => { runs++; await gate; });
    const second = once.callOnceAsync(async () => { runs++; });
    const waiter = once.waitAsync();
    expect(once.isCompleted()).toBe(false);
    release();
    await Promise.all([first, second, waiter]);
    expect(runs).toBe(1);
    expect(once.isCompleted()).toBe(true);
  });

  test("a rejected async function poisons the Once", async () => {
    using once = new weft.Once();
    await expect(once.callOnceAsync(async () => { throw new TypeError("async boom"); })).rejects.toThrow(TypeError);
    await expect(once.callOnceAsync(() => {})).rejects.toBeInstanceOf(weft.OncePoisonedError);
    let poisoned: boolean | undefined;
    await once.callOnceForceAsync(async (s) => { poisoned = s.isPoisoned; });
    expect(poisoned).toBe(true);
    expect(once.isCompleted()).toBe(true);
  });

  test("a blocking call from inside the running function fails with WouldDeadlockError", () => {
    using once = new weft.Once();
    expect(() => once.callOnce(() => { once.callOnce(() => {}); })).toThrow(weft.WouldDeadlockError);
    expect(() => once.callOnce(() => {})).toThrow(weft.OncePoisonedError);
  });

  test("a blocking call while this thread's async function is pending fails with WouldDeadlockError", async () => {
    using once = new weft.Once();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const running = once.callOnceAsync(() => gate);
    expect(() => once.wait()).toThrow(weft.WouldDeadlockError);
    release();
    await running;
    expect(once.isCompleted()).toBe(true);
  });

  test("wait blocks a thread until another completes the Once; async waits time out", async () => {
    using once = new weft.Once();
    await expect(once.waitAsync({ timeout: 5 })).rejects.toBeInstanceOf(weft.TimeoutError);
    const h = weft.spawn([once], (once) => { once.wait(); return once.isCompleted(); });
    once.callOnce(() => {});
    expect(await h.join()).toBe(true);
  });

  test("the object outlives a run and a parked waiter whose handles were dropped", async () => {
    const once = new weft.Once();
    const other = once.clone();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const running = once.callOnceAsync(() => gate);
    const waiting = other.waitAsync();
    once.drop();
    other.drop();
    release();
    await running;
    await waiting;
    expect(once.isDropped && other.isDropped).toBe(true);
  });

  test("bad input: non-functions, bad timeouts, use after drop, forged handles", async () => {
    const once = new weft.Once();
    expect(() => once.callOnce(42 as unknown as () => void)).toThrow(weft.InvalidArgumentError);
    expect(() => once.callOnceTimeout(() => {}, -1)).toThrow(weft.InvalidArgumentError);
    expect(() => once.waitTimeout(NaN)).toThrow(weft.InvalidArgumentError);
    await expect(once.callOnceAsync(() => {}, { timeout: -1 })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    expect(once.isCompleted()).toBe(false); // nothing ran
    once.drop();
    expect(() => once.callOnce(() => {})).toThrow(weft.DroppedError);
    expect(() => weft.Once.fromRaw({ ptr: 12345, gen: 1 })).toThrow(weft.InvalidHandleError);
    using lock = new weft.OnceLock();
    const raw = lock.clone().intoRaw();
    expect(() => weft.Once.fromRaw(raw)).toThrow(weft.InvalidHandleError); // a OnceLock, not a Once
    weft.OnceLock.fromRaw(raw).drop();
  });
});

describe("OnceLock", () => {
  test("get is undefined until set; set stores once and reports whether it did", () => {
    using cell = new weft.OnceLock<number>();
    expect(cell.get()).toBeUndefined();
    expect(cell.set(7)).toBe(true);
    expect(cell.set(8)).toBe(false);
    expect(cell.get()).toBe(7);
    expect(cell.getOrInit(() => 9)).toBe(7);
    expect(cell.wait()).toBe(7);
  });

  test("the value kind is decided by the first set: number, bigint, boolean, structured", () => {
    const values: unknown[] = [1.5, -(2n ** 63n), false, { a: [1, "two"], m: new Map([[1, 2]]) }, "text", null];
    for (const v of values) {
      using cell = new weft.OnceLock();
      expect(cell.getOrInit(() => v)).toEqual(v);
      expect(cell.get()).toEqual(v);
    }
  });

  test("raced getOrInit by many threads runs one initialiser and everyone sees its value", async () => {
    const n = stress(30);
    const cells = Array.from({ length: n }, () => new weft.OnceLock<{ by: number }>());
    using inits = new weft.Mutex(0);
    using start = new weft.Barrier(4);
    const hs = [1, 2, 3, 4].map((id) => weft.spawn([cells, inits, start, id], (cells, inits, start, id) => {
      start.wait();
      return cells.map((c) => c.getOrInit(() => { const g = inits.lock(); g.value += 1; g.unlock(); return { by: id }; }).by);
    }));
    const seen = await Promise.all(hs.map((h) => h.join()));
    for (let i = 0; i < n; i++) {
      const winner = cells[i].get()!.by;
      expect(seen.map((s) => s[i])).toEqual([winner, winner, winner, winner]);
    }
    const g = inits.lock(); expect(g.value).toBe(n); g.unlock();
    for (const c of cells) c.drop();
  });

  test("a throwing initialiser leaves the cell empty for the next caller", () => {
    using cell = new weft.OnceLock<string>();
    expect(() => cell.getOrInit(() => { throw new Error("nope"); })).toThrow("nope");
    expect(cell.get()).toBeUndefined();
    expect(cell.getOrInit(() => "second")).toBe("second");
  });

  test("a value that cannot be shared is refused and the cell stays empty", () => {
    using cell = new weft.OnceLock<unknown>();
    expect(() => cell.set(() => 1)).toThrow(weft.UnsupportedValueError);
    expect(() => cell.getOrInit(() => ({ f: () => 1 }))).toThrow(weft.UnsupportedValueError);
    expect(() => cell.getOrInit(() => 2n ** 64n)).toThrow(weft.UnsupportedValueError);
    expect(cell.get()).toBeUndefined();
    expect(cell.set(3)).toBe(true);
  });

  test("waiters on other threads receive the value; async forms time out and resolve", async () => {
    using cell = new weft.OnceLock<{ n: number }>();
    expect(cell.waitTimeout(1)).toBeUndefined();
    await expect(cell.waitAsync({ timeout: 2 })).rejects.toBeInstanceOf(weft.TimeoutError);
    const hs = [0, 1].map(() => weft.spawn([cell], (cell) => cell.wait().n));
    const later = cell.waitAsync();
    expect(await cell.getOrInitAsync(async () => ({ n: 5 }))).toEqual({ n: 5 });
    expect(await later).toEqual({ n: 5 });
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual([5, 5]);
  });

  test("getOrInitAsync: a rejected initialiser leaves the cell empty", async () => {
    using cell = new weft.OnceLock<number>();
    await expect(cell.getOrInitAsync(async () => { throw new Error("async nope"); })).rejects.toThrow("async nope");
    expect(cell.get()).toBeUndefined();
    expect(await cell.getOrInitAsync(() => 11)).toBe(11);
  });

  test("a handle value is shared: each read is a new handle to the same object", async () => {
    using cell = new weft.OnceLock<weft.Mutex<number>>();
    {
      using m = new weft.Mutex(1);
      expect(cell.set(m)).toBe(true);
    }
    const h = weft.spawn([cell], (cell) => { const m = cell.get()!; const g = m.lock(); g.value += 10; g.unlock(); m.drop(); });
    await h.join();
    using m2 = cell.get()!;
    const g = m2.lock(); expect(g.value).toBe(11); g.unlock();
  });

  test("bad input: non-function initialisers, bad timeouts, use after drop, forged handles", async () => {
    const cell = new weft.OnceLock();
    expect(() => cell.getOrInit(null as unknown as () => number)).toThrow(weft.InvalidArgumentError);
    expect(() => cell.waitTimeout(-3)).toThrow(weft.InvalidArgumentError);
    await expect(cell.getOrInitAsync(() => 1, { timeout: NaN })).rejects.toBeInstanceOf(weft.InvalidArgumentError);
    expect(cell.get()).toBeUndefined();
    cell.drop();
    expect(() => cell.get()).toThrow(weft.DroppedError);
    expect(() => weft.OnceLock.fromRaw({ ptr: 12345, gen: 1 })).toThrow(weft.InvalidHandleError);
  });
});
