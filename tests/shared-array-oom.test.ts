// Out of memory: SharedArray and atomics in an engine capped at 32 MiB. A file of its own, so its
// engine instance (one per test file) is small.
import { describe, it, expect } from "vitest";
import { useWeft, weft } from "./helpers";

useWeft(1, { maximumMiB: 32 });

function thrown(f: () => unknown): any {
  try { f(); } catch (e) { return e; }
  throw new Error("expected a throw");
}

describe("out of memory", () => {
  it("a SharedArray larger than the memory maximum throws OutOfMemoryError, heap intact", () => {
    const before = weft.stats();
    const e = thrown(() => new weft.SharedArray(Float64Array, 8 * 1024 * 1024)); // 64 MiB
    expect(e).toBeInstanceOf(weft.OutOfMemoryError);
    const after = weft.stats();
    expect(after.heapBlocks).toBe(before.heapBlocks);
    expect(after.heapBytes).toBe(before.heapBytes);
    expect(after.oomCount).toBeGreaterThan(before.oomCount);
    // 8 MiB still fits. (No threads in this file: a finished thread's task object is released
    // by its worker just after join resolves, which would make the block counts racy.)
    const ok = new weft.SharedArray(Float64Array, 1024 * 1024);
    const n = new weft.AtomicI32(5);
    ok.array[ok.length - 1] = 1.25;
    expect(ok.array[ok.length - 1]).toBe(1.25);
    expect(n.fetchAdd(1, weft.Ordering.SeqCst)).toBe(5);
    ok.drop(); n.drop();
  });

  it("filling the memory: SharedArray and atomics throw OutOfMemoryError, everything frees and works after", () => {
    const before = weft.stats();
    const held: { drop(): void }[] = [];
    const first = new weft.SharedArray(Int32Array, 4);
    held.push(first);
    // Fill with halving sizes down to one byte, so even small size classes run dry.
    for (let size = 8 * 1024 * 1024; size >= 1; ) {
      try { held.push(new weft.SharedArray(Uint8Array, size)); } catch (e) {
        expect(e).toBeInstanceOf(weft.OutOfMemoryError);
        size >>= 1;
      }
    }
    let atomicOom: unknown = null;
    for (let i = 0; i < 100000 && atomicOom === null; i++) {
      try { held.push(new weft.AtomicI32(i)); } catch (e) { atomicOom = e; }
    }
    expect(atomicOom).toBeInstanceOf(weft.OutOfMemoryError);
    expect(weft.stats().memoryBytes).toBe(32 * 1024 * 1024);
    // The first array's view, made before all that growth, still reaches its elements.
    first.array[2] = 77;
    const view = first.clone(); // a handle (and view) made after the growth
    expect(view.array[2]).toBe(77);
    view.drop();
    for (const h of held) h.drop();
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
    // The freed memory serves new objects of both kinds.
    const again = new weft.SharedArray(Float64Array, 1024 * 1024);
    const a = new weft.AtomicI32(5);
    again.array[again.length - 1] = 2.5;
    expect(again.array[again.length - 1]).toBe(2.5);
    expect(a.fetchAdd(1, weft.Ordering.SeqCst)).toBe(5);
    again.drop(); a.drop();
    expect(weft.stats().heapBlocks).toBe(before.heapBlocks);
  });
});
