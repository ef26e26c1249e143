// The shared memory grows while threads run (DESIGN.md fact 6): every thread keeps working on
// objects allocated past the length its views had (views are refreshed from the header's
// MEM_BYTES word).
import { describe, it, expect } from "vitest";
import { weft, useWeft } from "./helpers";

useWeft(2, { initialMiB: 2 });

describe("memory growth while threads run", () => {
  it("objects allocated by another thread after growth are usable everywhere", async () => {
    const before = weft.stats().memoryBytes;
    const m = new weft.Mutex({ note: "small" });
    // A worker grows the memory (a 32 MiB array) and returns the array and a value stored beyond
    // the old end of memory.
    const [big, value] = await weft.spawn([m.clone()], (m: any) => {
      const w = (globalThis as any).weft;
      const a = new w.SharedArray(Float64Array, 4 * 1024 * 1024);
      a.array[a.length - 1] = 42;
      const g = m.lock();
      g.value = { note: "x".repeat(100_000) };
      g.unlock();
      return [a, w.stats().memoryBytes];
    }).join();
    expect(weft.stats().memoryBytes).toBeGreaterThan(before);
    expect(value).toBe(weft.stats().memoryBytes);
    expect(big.array[big.length - 1]).toBe(42);
    { const g = m.lock(); expect((g.value as any).note.length).toBe(100_000); g.unlock(); }
    // The other worker (which never grew the memory itself) sees it too.
    const seen = await Promise.all([0, 1, 2].map(() => weft.spawn([big.clone(), m.clone()], (a: any, m: any) => {
      const g = m.lock(); const n = g.value.note.length; g.unlock();
      return a.array[a.length - 1] + n;
    }).join()));
    expect(seen).toEqual([100_042, 100_042, 100_042]);
    big.drop();
    m.drop();
  });

  it("many threads growing the memory at once all get intact blocks", async () => {
    const hs = Array.from({ length: 4 }, (_, i) => weft.spawn([i], (i: number) => {
      const w = (globalThis as any).weft;
      const arrays = [];
      for (let k = 0; k < 8; k++) {
        const a = new w.SharedArray(Int32Array, 256 * 1024);
        a.array.fill(i * 100 + k);
        arrays.push(a);
      }
      let ok = true;
      arrays.forEach((a: any, k: number) => { if (a.array.some((v: number) => v !== i * 100 + k)) ok = false; a.drop(); });
      return ok;
    }));
    expect(await Promise.all(hs.map((h) => h.join()))).toEqual([true, true, true, true]);
  });
});
