// Exhausting the shared memory through the public API: a value too big for the memory maximum
// gets OutOfMemoryError, nothing leaks, and the engine keeps working.
import { describe, it, expect } from "vitest";
import { useWeft, weft } from "./helpers";

useWeft(2, { maximumMiB: 8 });

describe("out of memory through the public API", () => {
  it("a Mutex value larger than the memory maximum throws OutOfMemoryError and leaks nothing", () => {
    const before = weft.stats();
    expect(() => new weft.Mutex({ big: "x".repeat(9 * 1024 * 1024) })).toThrow(weft.OutOfMemoryError);
    const after = weft.stats();
    expect(after.heapBytes).toBe(before.heapBytes);
    expect(after.heapBlocks).toBe(before.heapBlocks);
    expect(after.oomCount).toBe(before.oomCount + 1);
    expect(after.memoryBytes).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it("the engine still works afterwards: values that fit are stored, locked and shared", async () => {
    expect(() => new weft.Mutex({ big: "y".repeat(10 * 1024 * 1024) })).toThrow(weft.OutOfMemoryError);
    const text = "z".repeat(1024 * 1024); // 1 MiB: fits
    const m = new weft.Mutex({ text, n: 0 });
    const counter = new weft.Mutex(0);
    const h = weft.spawn([m, counter], (m, counter) => {
      const g = m.lock();
      const ok = g.value.text.length === 1024 * 1024;
      g.unlock();
      const c = counter.lock();
      c.value += ok ? 1 : 100;
      c.unlock();
      m.drop(); counter.drop();
      return ok;
    });
    expect(await h.join()).toBe(true);
    { using g = counter.lock(); expect(g.value).toBe(1); }
    { using g = m.lock(); expect((g.value as { text: string }).text).toBe(text); }
    m.drop(); counter.drop();
  });

  it("memory freed after an OutOfMemoryError is reused by the next allocation", () => {
    const MiB3 = 3 * 1024 * 1024;
    const a = new weft.Mutex({ blob: new Uint8Array(MiB3) });
    const b = new weft.Mutex({ blob: new Uint8Array(MiB3) });
    const top = weft.stats().heapTop;
    expect(() => new weft.Mutex({ blob: new Uint8Array(MiB3) })).toThrow(weft.OutOfMemoryError);
    const held = weft.stats().heapBytes;
    a.drop();
    expect(weft.stats().heapBytes).toBeLessThan(held - MiB3);
    const c = new weft.Mutex({ blob: new Uint8Array(MiB3).fill(7) });
    expect(weft.stats().heapTop).toBe(top); // a's bytes were reused: no growth
    // (The value is not read back through a guard: a guard re-encodes a structured value at
    // unlock, which would need a second 3 MiB.)
    b.drop(); c.drop();
    expect(weft.stats().heapBytes).toBeLessThan(held - 2 * MiB3);
  });

  it("a thread whose result cannot be stored panics with OutOfMemoryError; the pool keeps working", async () => {
    const err = await weft.spawn(() => "x".repeat(9 * 1024 * 1024)).join().catch((e) => e);
    expect(err).toBeInstanceOf(weft.ThreadPanic);
    expect(err.originalName).toBe("OutOfMemoryError");
    expect(await weft.spawn(() => "still here").join()).toBe("still here");
  });
});
