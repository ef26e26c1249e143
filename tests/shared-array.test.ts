// SharedArray: typed arrays in the engine's shared memory, seen by every thread holding a handle.
import { describe, it, expect } from "vitest";
import { useWeft, weft, stress } from "./helpers";

useWeft(4);

const TYPES = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
] as const;
const isBig = (C: unknown) => C === BigInt64Array || C === BigUint64Array;

function thrown(f: () => unknown): any {
  try { f(); } catch (e) { return e; }
  throw new Error("expected a throw");
}

describe("construction", () => {
  for (const C of TYPES) {
    it(`new SharedArray(${C.name}, n) is n zeroed elements, 8-byte aligned, in the engine's memory`, () => {
      const a = new weft.SharedArray(C as any, 13);
      expect(a.array).toBeInstanceOf(C);
      expect(a.array.length).toBe(13);
      expect(a.length).toBe(13);
      expect(a.byteLength).toBe(13 * C.BYTES_PER_ELEMENT);
      expect(a.elementType).toBe(C);
      expect(a.array.byteOffset % 8).toBe(0);
      expect(a.array.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(a.array as any).every((x) => x == 0)).toBe(true);
      expect(a.array).toBe(a.array); // one cached view
      a.drop();
    });
  }

  it("a length of 0 is an empty array", () => {
    const a = new weft.SharedArray(Float64Array, 0);
    expect(a.length).toBe(0);
    expect(a.array.length).toBe(0);
    a.drop();
  });

  it("recycled memory comes back zeroed", () => {
    const a = new weft.SharedArray(Int32Array, 100);
    a.array.fill(-1);
    a.drop();
    const b = new weft.SharedArray(Int32Array, 100);
    expect(b.array.every((x) => x === 0)).toBe(true);
    b.drop();
  });

  it("bad lengths throw InvalidArgumentError and allocate nothing", () => {
    const before = weft.stats().heapBlocks;
    for (const len of [-1, NaN, 1.5, Infinity, -Infinity, "3", 3n, undefined, null, {}, 2 ** 31, 2 ** 53]) {
      const e = thrown(() => new weft.SharedArray(Float64Array, len as number));
      expect(e, `length ${String(len)}`).toBeInstanceOf(weft.InvalidArgumentError);
      expect(e.message).toMatch(/length must be an integer/);
    }
    expect(weft.stats().heapBlocks).toBe(before);
  });

  it("bad element types throw InvalidArgumentError", () => {
    for (const C of [Array, DataView, ArrayBuffer, Object, null, undefined, "Float64Array", class extends Float64Array {}]) {
      const e = thrown(() => new weft.SharedArray(C as any, 4));
      expect(e, String(C)).toBeInstanceOf(weft.InvalidArgumentError);
      expect(e.message).toMatch(/element type/);
    }
  });

  for (const C of TYPES) {
    it(`SharedArray.from(${C.name}) copies the elements; later changes to either side stay separate`, () => {
      const values = [1, 2, 3, 100, 127].map((x) => (isBig(C) ? BigInt(x) : x));
      const src = new (C as any)(values);
      const a = weft.SharedArray.from(src) as any;
      expect(a.elementType).toBe(C);
      expect(Array.from(a.array)).toEqual(values);
      src[0] = isBig(C) ? 9n : 9;
      a.array[1] = isBig(C) ? 7n : 7;
      expect(a.array[0]).toBe(values[0]);
      expect(src[1]).toBe(values[1]);
      a.drop();
    });
  }

  it("SharedArray.from accepts a typed array over shared memory, and subarrays", () => {
    const a = weft.SharedArray.from(new Float64Array([1, 2, 3, 4]));
    const b = weft.SharedArray.from(a.array.subarray(1, 3));
    expect(Array.from(b.array)).toEqual([2, 3]);
    a.drop(); b.drop();
  });

  it("SharedArray.from rejects what is not a typed array", () => {
    for (const v of [[1, 2], new DataView(new ArrayBuffer(8)), new ArrayBuffer(8), null, undefined, 3, "abc"]) {
      expect(thrown(() => weft.SharedArray.from(v as any)), String(v)).toBeInstanceOf(weft.InvalidArgumentError);
    }
  });
});

describe("handles", () => {
  it("clones see the same elements; the data is freed when the last handle drops", () => {
    const before = weft.stats();
    const a = new weft.SharedArray(Uint16Array, 1000);
    const b = a.clone();
    b.array[999] = 65535;
    expect(a.array[999]).toBe(65535);
    a.drop();
    expect(b.array[999]).toBe(65535);
    b.drop();
    const after = weft.stats();
    expect(after.heapBlocks).toBe(before.heapBlocks);
    expect(after.heapBytes).toBe(before.heapBytes);
  });

  it("array, length, elementType and clone after drop throw DroppedError", () => {
    const a = new weft.SharedArray(Int32Array, 4);
    a.drop();
    for (const f of [() => a.array, () => a.length, () => a.byteLength, () => a.elementType, () => a.clone(), () => a.intoRaw()]) {
      expect(thrown(f)).toBeInstanceOf(weft.DroppedError);
    }
    a.drop(); // a second drop is a no-op
  });

  it("intoRaw / fromRaw round-trips; forged, stale and foreign raw handles throw InvalidHandleError", () => {
    const a = weft.SharedArray.from(new BigInt64Array([-5n, 5n]));
    const raw = a.intoRaw();
    expect(thrown(() => a.array)).toBeInstanceOf(weft.DroppedError);
    expect(thrown(() => weft.SharedArray.fromRaw({ ptr: raw.ptr, gen: raw.gen ^ 1 }))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.SharedArray.fromRaw({ ptr: raw.ptr + 16, gen: raw.gen }))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.SharedArray.fromRaw({ ptr: 70000, gen: 3 }))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.SharedArray.fromRaw({ ptr: "x", gen: 1 } as any))).toBeInstanceOf(weft.InvalidArgumentError);
    const at = new weft.AtomicI32(1);
    expect(thrown(() => weft.SharedArray.fromRaw(at.intoRaw()))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.AtomicI32.fromRaw(raw))).toBeInstanceOf(weft.InvalidHandleError);
    const b = weft.SharedArray.fromRaw<BigInt64Array>(raw);
    expect(b.elementType).toBe(BigInt64Array);
    expect(Array.from(b.array)).toEqual([-5n, 5n]);
    b.drop();
    expect(thrown(() => weft.SharedArray.fromRaw(raw))).toBeInstanceOf(weft.InvalidHandleError);
  });

  it("the view stays valid after the memory grows", () => {
    const a = new weft.SharedArray(Int32Array, 16);
    const view = a.array;
    const bytes = weft.stats().memoryBytes;
    const big = new weft.SharedArray(Uint8Array, bytes); // forces the memory to grow
    expect(weft.stats().memoryBytes).toBeGreaterThan(bytes);
    view[3] = 33;
    const c = a.clone();
    expect(c.array[3]).toBe(33);
    expect(a.array).toBe(view);
    big.array[big.length - 1] = 1;
    c.drop(); a.drop(); big.drop();
  });
});

describe("threads", () => {
  it("a thread writes through its handle and the main thread sees it", async () => {
    const a = new weft.SharedArray(Float64Array, 8);
    await weft.spawn([a], (a) => { for (let i = 0; i < a.length; i++) a.array[i] = i * 1.5; }).join();
    expect(Array.from(a.array)).toEqual([0, 1.5, 3, 4.5, 6, 7.5, 9, 10.5]);
    a.drop();
  });

  it("threads writing disjoint ranges fill the whole array; the main thread sums it", async () => {
    const N = 4, per = stress(25000);
    const a = new weft.SharedArray(Float64Array, N * per);
    await Promise.all(Array.from({ length: N }, (_, i) => weft.spawn([a, i * per, (i + 1) * per], (a, from, to) => {
      const xs = a.array;
      for (let k = from; k < to; k++) xs[k] = k + 1;
    }).join()));
    let sum = 0;
    for (const x of a.array) sum += x;
    const n = N * per;
    expect(sum).toBe((n * (n + 1)) / 2);
    a.drop();
  });

  it("a SharedArray inside a structured value reaches the thread as the same memory", async () => {
    const a = new weft.SharedArray(Int32Array, 4);
    const b = new weft.SharedArray(BigUint64Array, 1);
    const msg = { job: { target: a, slots: [1, 3] }, extra: new Map([["wide", b]]), label: "fill" };
    const got = await weft.spawn([msg], (m) => {
      for (const s of m.job.slots) m.job.target.array[s] = 10 + s;
      m.extra.get("wide").array[0] = 2n ** 64n - 1n;
      return [m.label, m.job.target.elementType.name, m.job.target.length];
    }).join();
    expect(got).toEqual(["fill", "Int32Array", 4]);
    expect(Array.from(a.array)).toEqual([0, 11, 0, 13]);
    expect(b.array[0]).toBe(2n ** 64n - 1n);
    a.drop(); b.drop();
  });

  it("a SharedArray held in a Mutex is reached by the thread that locks it", async () => {
    const a = new weft.SharedArray(Uint32Array, 3);
    const m = new weft.Mutex(a);
    await weft.spawn([m], (m) => {
      const g = m.lock();
      const inner = g.value; // a new handle to the same array
      inner.array[2] = 0xFFFFFFFF;
      inner.drop();
      g.unlock();
    }).join();
    expect(a.array[2]).toBe(0xFFFFFFFF);
    m.drop(); a.drop();
  });

  it("a SharedArray made in a thread and returned arrives with its contents", async () => {
    const a = await weft.spawn(() => {
      const w = (globalThis as any).weft;
      const s = w.SharedArray.from(new Uint8Array([4, 5, 6]));
      s.array[0] = 40;
      return s;
    }).join();
    expect(a).toBeInstanceOf(weft.SharedArray);
    expect(Array.from(a.array)).toEqual([40, 5, 6]);
    a.drop();
  });

  it("Atomics on an Int32Array SharedArray from several threads give the exact total", async () => {
    const N = 4, M = stress(10000);
    const a = new weft.SharedArray(Int32Array, 2);
    await Promise.all(Array.from({ length: N }, () => weft.spawn([a, M], (a, m) => {
      for (let k = 0; k < m; k++) { Atomics.add(a.array, 0, 1); Atomics.sub(a.array, 1, 2); }
    }).join()));
    expect(Array.from(a.array)).toEqual([N * M, -2 * N * M]);
    a.drop();
  });

  it("use after drop inside a thread surfaces as the thread's DroppedError panic", async () => {
    const a = new weft.SharedArray(Int32Array, 1);
    const e = await weft.spawn([a], (a) => { a.drop(); return a.array[0]; }).join().catch((x) => x);
    expect(e).toBeInstanceOf(weft.ThreadPanic);
    expect(e.originalName).toBe("DroppedError");
    a.array[0] = 1; // the main thread's handle is unaffected
    expect(a.array[0]).toBe(1);
    a.drop();
  });
});
