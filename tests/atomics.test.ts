// std::sync::atomic: AtomicI32 / U32 / I64 / U64 / Bool operations, wrapping, value checks and
// handles. Ordering validation: atomics-ordering.test.ts; threads: atomics-threads.test.ts.
// Heap block counts are asserted here before any thread runs (a finished thread's task object is
// released by its worker just after join resolves).
import { describe, it, expect } from "vitest";
import { useWeft, weft } from "./helpers";
import { O, INTS, TYPES, rmwOf, thrown } from "./atomic-fixtures";

useWeft(2);

describe("Ordering", () => {
  it("is a frozen object whose values are their names", () => {
    expect(Object.isFrozen(O)).toBe(true);
    expect({ ...O }).toEqual({ Relaxed: "Relaxed", Release: "Release", Acquire: "Acquire", AcqRel: "AcqRel", SeqCst: "SeqCst" });
  });
});

describe("construction and plain operations", () => {
  it("new without a value holds Rust's default (0, 0n, false)", () => {
    const all = [new weft.AtomicI32(), new weft.AtomicU32(), new weft.AtomicI64(), new weft.AtomicU64(), new weft.AtomicBool()];
    expect(all.map((a: any) => a.load(O.SeqCst))).toEqual([0, 0, 0n, 0n, false]);
    all.forEach((a) => a.drop());
  });

  for (const t of INTS) {
    it(`${t.name}: load, store, swap and intoInner round-trip the bounds`, () => {
      const a: any = new (t.C as any)(t.min);
      expect(a.load(O.Relaxed)).toBe(t.min);
      a.store(t.max, O.Release);
      expect(a.load(O.Acquire)).toBe(t.max);
      expect(a.swap(t.v(7), O.AcqRel)).toBe(t.max);
      expect(a.load(O.SeqCst)).toBe(t.v(7));
      expect(a.intoInner()).toBe(t.v(7));
      expect(a.isDropped).toBe(true);
    });

    it(`${t.name}: fetchAdd, fetchSub, fetchAnd, fetchOr, fetchXor return the previous value`, () => {
      const a: any = new (t.C as any)(t.v(0b1100));
      expect(a.fetchAdd(t.v(3), O.Relaxed)).toBe(t.v(12));
      expect(a.fetchSub(t.v(5), O.Relaxed)).toBe(t.v(15));
      expect(a.fetchAnd(t.v(0b0110), O.Relaxed)).toBe(t.v(10));
      expect(a.fetchOr(t.v(0b1001), O.Relaxed)).toBe(t.v(2));
      expect(a.fetchXor(t.v(0b0101), O.Relaxed)).toBe(t.v(11));
      expect(a.load(O.Relaxed)).toBe(t.v(14));
      a.drop();
    });

    it(`${t.name}: compareExchange reports success with the previous value and failure with the actual one`, () => {
      const a: any = new (t.C as any)(t.v(5));
      expect(a.compareExchange(t.v(5), t.max, O.AcqRel, O.Acquire)).toEqual({ ok: true, value: t.v(5) });
      expect(a.load(O.SeqCst)).toBe(t.max);
      expect(a.compareExchange(t.v(5), t.v(1), O.SeqCst, O.Relaxed)).toEqual({ ok: false, value: t.max });
      expect(a.load(O.SeqCst)).toBe(t.max);
      expect(a.compareExchangeWeak(t.max, t.min, O.Release, O.Relaxed)).toEqual({ ok: true, value: t.max });
      expect(a.compareExchangeWeak(t.max, t.v(1), O.Relaxed, O.SeqCst)).toEqual({ ok: false, value: t.min });
      expect(a.load(O.SeqCst)).toBe(t.min);
      a.drop();
    });
  }

  it("AtomicBool: load, store, swap, compareExchange, logic operations and intoInner", () => {
    const b = new weft.AtomicBool(false);
    b.store(true, O.Release);
    expect(b.load(O.Acquire)).toBe(true);
    expect(b.swap(false, O.SeqCst)).toBe(true);
    expect(b.compareExchange(false, true, O.AcqRel, O.Acquire)).toEqual({ ok: true, value: false });
    expect(b.compareExchange(false, true, O.AcqRel, O.Acquire)).toEqual({ ok: false, value: true });
    expect(b.compareExchangeWeak(true, false, O.Relaxed, O.Relaxed)).toEqual({ ok: true, value: true });
    expect(b.fetchOr(true, O.Relaxed)).toBe(false);   // false | true
    expect(b.fetchAnd(false, O.Relaxed)).toBe(true);  // true & false
    expect(b.fetchXor(true, O.Relaxed)).toBe(false);  // false ^ true
    expect(b.fetchNot(O.Relaxed)).toBe(true);          // !true
    expect(b.load(O.Relaxed)).toBe(false);
    expect(b.intoInner()).toBe(false);
  });

  it("AtomicBool: fetchNand follows the truth table", () => {
    const b = new weft.AtomicBool();
    for (const [x, y] of [[false, false], [false, true], [true, false], [true, true]]) {
      b.store(x, O.Relaxed);
      expect(b.fetchNand(y, O.AcqRel)).toBe(x);
      expect(b.load(O.Relaxed)).toBe(!(x && y));
    }
    b.drop();
  });

  it("asPtr gives the 8-byte-aligned address of the value", () => {
    const a = new weft.AtomicU64(1n);
    expect(a.asPtr() % 8).toBe(0);
    expect(a.asPtr()).toBeGreaterThan(a.ptr);
    a.drop();
  });
});

describe("wrapping arithmetic at the type's width", () => {
  it("AtomicU32: fetchAdd past 2^32-1 wraps to 0, fetchSub below 0 wraps to 2^32-1", () => {
    const a = new weft.AtomicU32(2 ** 32 - 1);
    expect(a.fetchAdd(1, O.SeqCst)).toBe(2 ** 32 - 1);
    expect(a.load(O.SeqCst)).toBe(0);
    expect(a.fetchSub(1, O.SeqCst)).toBe(0);
    expect(a.load(O.SeqCst)).toBe(2 ** 32 - 1);
    expect(a.fetchAdd(2 ** 32 - 1, O.SeqCst)).toBe(2 ** 32 - 1);
    expect(a.load(O.SeqCst)).toBe(2 ** 32 - 2);
    a.drop();
  });

  it("AtomicI32: max + 1 wraps to min, min - 1 wraps to max", () => {
    const a = new weft.AtomicI32(2 ** 31 - 1);
    expect(a.fetchAdd(1, O.SeqCst)).toBe(2 ** 31 - 1);
    expect(a.load(O.SeqCst)).toBe(-(2 ** 31));
    expect(a.fetchSub(1, O.SeqCst)).toBe(-(2 ** 31));
    expect(a.load(O.SeqCst)).toBe(2 ** 31 - 1);
    expect(a.fetchSub(-(2 ** 31), O.SeqCst)).toBe(2 ** 31 - 1); // max - min = -1 (mod 2^32)
    expect(a.load(O.SeqCst)).toBe(-1);
    a.drop();
  });

  it("AtomicI64: max + 1 wraps to min, min - 1 wraps to max", () => {
    const a = new weft.AtomicI64(2n ** 63n - 1n);
    expect(a.fetchAdd(1n, O.SeqCst)).toBe(2n ** 63n - 1n);
    expect(a.load(O.SeqCst)).toBe(-(2n ** 63n));
    expect(a.fetchSub(1n, O.SeqCst)).toBe(-(2n ** 63n));
    expect(a.load(O.SeqCst)).toBe(2n ** 63n - 1n);
    a.drop();
  });

  it("AtomicU64: fetchSub below 0 wraps to 2^64-1, fetchAdd past it wraps to 0", () => {
    const a = new weft.AtomicU64(0n);
    expect(a.fetchSub(1n, O.SeqCst)).toBe(0n);
    expect(a.load(O.SeqCst)).toBe(2n ** 64n - 1n);
    expect(a.fetchAdd(2n, O.SeqCst)).toBe(2n ** 64n - 1n);
    expect(a.load(O.SeqCst)).toBe(1n);
    a.drop();
  });
});

describe("fetchNand, fetchMax, fetchMin", () => {
  it("fetchNand stores !(value & v) at each width", () => {
    const i32 = new weft.AtomicI32(0b1100), u32 = new weft.AtomicU32(0b1100);
    const i64 = new weft.AtomicI64(0b1100n), u64 = new weft.AtomicU64(0b1100n);
    expect(i32.fetchNand(0b1010, O.SeqCst)).toBe(0b1100);
    expect(u32.fetchNand(0b1010, O.SeqCst)).toBe(0b1100);
    expect(i64.fetchNand(0b1010n, O.SeqCst)).toBe(0b1100n);
    expect(u64.fetchNand(0b1010n, O.SeqCst)).toBe(0b1100n);
    expect(i32.load(O.SeqCst)).toBe(-9);                  // ~0b1000
    expect(u32.load(O.SeqCst)).toBe(0xFFFFFFF7);
    expect(i64.load(O.SeqCst)).toBe(-9n);
    expect(u64.load(O.SeqCst)).toBe(2n ** 64n - 9n);
    u32.store(0xFFFFFFFF, O.SeqCst);
    expect(u32.fetchNand(0xFFFFFFFF, O.SeqCst)).toBe(0xFFFFFFFF);
    expect(u32.load(O.SeqCst)).toBe(0);
    [i32, u32, i64, u64].forEach((a) => a.drop());
  });

  it("signed types compare signed: max(-5, 3) = 3, min(-5, 3) = -5", () => {
    const a = new weft.AtomicI32(-5), b = new weft.AtomicI32(-5);
    expect(a.fetchMax(3, O.SeqCst)).toBe(-5);
    expect(a.load(O.SeqCst)).toBe(3);
    expect(b.fetchMin(3, O.SeqCst)).toBe(-5);
    expect(b.load(O.SeqCst)).toBe(-5);
    const c = new weft.AtomicI64(-5n);
    expect(c.fetchMax(3n, O.SeqCst)).toBe(-5n);
    expect(c.fetchMin(-(2n ** 63n), O.SeqCst)).toBe(3n);
    expect(c.load(O.SeqCst)).toBe(-(2n ** 63n));
    [a, b, c].forEach((x) => x.drop());
  });

  it("unsigned types compare unsigned: 2^32-1 and 2^64-1 are the largest values", () => {
    const a = new weft.AtomicU32(2 ** 32 - 1);
    expect(a.fetchMax(1, O.SeqCst)).toBe(2 ** 32 - 1);
    expect(a.load(O.SeqCst)).toBe(2 ** 32 - 1);
    expect(a.fetchMin(1, O.SeqCst)).toBe(2 ** 32 - 1);
    expect(a.load(O.SeqCst)).toBe(1);
    const b = new weft.AtomicU64(2n ** 63n);
    expect(b.fetchMax(1n, O.SeqCst)).toBe(2n ** 63n);
    expect(b.fetchMin(7n, O.SeqCst)).toBe(2n ** 63n);
    expect(b.load(O.SeqCst)).toBe(7n);
    a.drop(); b.drop();
  });
});

describe("fetchUpdate", () => {
  it("stores f(value) and returns { ok: true, value: previous }", () => {
    const a = new weft.AtomicI32(20);
    expect(a.fetchUpdate(O.SeqCst, O.Acquire, (x) => x * 2 + 1)).toEqual({ ok: true, value: 20 });
    expect(a.load(O.SeqCst)).toBe(41);
    const b = new weft.AtomicBool(false);
    expect(b.fetchUpdate(O.Release, O.Relaxed, (x) => !x)).toEqual({ ok: true, value: false });
    expect(b.load(O.SeqCst)).toBe(true);
    a.drop(); b.drop();
  });

  it("stops without writing when f returns undefined: { ok: false, value }", () => {
    const a = new weft.AtomicU64(9n);
    expect(a.fetchUpdate(O.SeqCst, O.SeqCst, (x) => (x > 10n ? x - 10n : undefined))).toEqual({ ok: false, value: 9n });
    expect(a.load(O.SeqCst)).toBe(9n);
    a.drop();
  });

  it("retries with the fresh value when the atomic changed while f ran", () => {
    const a = new weft.AtomicU32(1);
    const seen: number[] = [];
    const r = a.fetchUpdate(O.SeqCst, O.SeqCst, (x) => {
      seen.push(x);
      if (seen.length === 1) a.store(100, O.SeqCst); // another writer got in between
      return x + 1;
    });
    expect(seen).toEqual([1, 100]);
    expect(r).toEqual({ ok: true, value: 100 });
    expect(a.load(O.SeqCst)).toBe(101);
    a.drop();
  });

  it("rejects a value of the wrong type returned by f, leaving the atomic unchanged", () => {
    const a = new weft.AtomicI32(1);
    expect(thrown(() => a.fetchUpdate(O.SeqCst, O.SeqCst, () => 2 ** 31 as number))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(thrown(() => a.fetchUpdate(O.SeqCst, O.SeqCst, () => null as unknown as number))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(thrown(() => a.fetchUpdate(O.SeqCst, O.SeqCst, 5 as unknown as () => number))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(a.load(O.SeqCst)).toBe(1);
    a.drop();
  });
});

describe("value checks (Rust's types are strict)", () => {
  const bad: [string, () => any, unknown[]][] = [
    ["AtomicI32", () => new weft.AtomicI32(3), [1.5, NaN, Infinity, 2 ** 31, -(2 ** 31) - 1, "1", 1n, true, null]],
    ["AtomicU32", () => new weft.AtomicU32(3), [-1, 0.5, 2 ** 32, NaN, "1", 1n]],
    ["AtomicI64", () => new weft.AtomicI64(3n), [1, 2n ** 63n, -(2n ** 63n) - 1n, "1", true]],
    ["AtomicU64", () => new weft.AtomicU64(3n), [1, -1n, 2n ** 64n, "1"]],
    ["AtomicBool", () => new weft.AtomicBool(true), [0, 1, "true", null, 1n]],
  ];
  for (const [name, make, values] of bad) {
    it(`${name}: store, swap, fetch* and compareExchange reject values outside the type, unchanged`, () => {
      const a = make();
      const before = a.load(O.SeqCst);
      for (const v of values) {
        for (const m of rmwOf(name)) {
          const e = thrown(() => a[m](v, O.SeqCst));
          expect(e, `${m}(${String(v)})`).toBeInstanceOf(weft.InvalidArgumentError);
          expect(e.message).toContain(`${name}.${m}`);
        }
        expect(thrown(() => a.store(v, O.SeqCst))).toBeInstanceOf(weft.InvalidArgumentError);
        expect(thrown(() => a.compareExchange(before, v, O.SeqCst, O.SeqCst))).toBeInstanceOf(weft.InvalidArgumentError);
        expect(thrown(() => a.compareExchange(v, before, O.SeqCst, O.SeqCst))).toBeInstanceOf(weft.InvalidArgumentError);
      }
      expect(a.load(O.SeqCst)).toBe(before);
      a.drop();
    });
  }

  it("new with a bad value throws InvalidArgumentError and allocates nothing", () => {
    const before = weft.stats().heapBlocks;
    expect(thrown(() => new weft.AtomicI32(0.5))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(thrown(() => new weft.AtomicU32(-1))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(thrown(() => new weft.AtomicI64(1 as unknown as bigint))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(thrown(() => new weft.AtomicU64(-1n))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(thrown(() => new weft.AtomicBool(1 as unknown as boolean))).toBeInstanceOf(weft.InvalidArgumentError);
    expect(weft.stats().heapBlocks).toBe(before);
  });

  it("-0 is accepted as 0", () => {
    const a = new weft.AtomicI32(-0);
    expect(Object.is(a.load(O.SeqCst), 0)).toBe(true);
    expect(a.compareExchange(0, -0, O.SeqCst, O.SeqCst).ok).toBe(true);
    a.drop();
  });
});
describe("handles", () => {
  it("clone shares the value; the object lives until the last handle drops", () => {
    const before = weft.stats().heapBlocks;
    const a = new weft.AtomicI64(1n);
    const b = a.clone();
    expect(b).toBeInstanceOf(weft.AtomicI64);
    b.fetchAdd(41n, O.SeqCst);
    expect(a.load(O.SeqCst)).toBe(42n);
    a.drop();
    expect(b.load(O.SeqCst)).toBe(42n);
    expect(weft.stats().heapBlocks).toBe(before + 1);
    b.drop();
    expect(weft.stats().heapBlocks).toBe(before);
  });

  it("every operation after drop throws DroppedError; drop twice is a no-op", () => {
    for (const t of TYPES) {
      const a = t.make();
      a.drop();
      a.drop();
      for (const call of [() => a.load(O.SeqCst), () => a.store(t.arg, O.SeqCst), () => a.swap(t.arg, O.SeqCst),
        () => a.compareExchange(t.arg, t.arg, O.SeqCst, O.SeqCst), () => a.fetchUpdate(O.SeqCst, O.SeqCst, (x: unknown) => x),
        () => a.fetchAnd(t.arg, O.SeqCst), () => a.clone(), () => a.intoInner(), () => a.asPtr()]) {
        expect(thrown(call)).toBeInstanceOf(weft.DroppedError);
      }
    }
  });

  it("using drops the handle at the end of the scope", () => {
    const before = weft.stats().heapBlocks;
    let seen: any;
    {
      using a = new weft.AtomicU32(3);
      seen = a;
      expect(a.fetchAdd(1, O.SeqCst)).toBe(3);
    }
    expect(seen.isDropped).toBe(true);
    expect(weft.stats().heapBlocks).toBe(before);
  });

  it("intoRaw / fromRaw round-trips each type to the same class and value", () => {
    for (const t of TYPES) {
      const a = t.make();
      const v = a.load(O.SeqCst);
      const raw = a.intoRaw();
      expect(thrown(() => a.load(O.SeqCst))).toBeInstanceOf(weft.DroppedError);
      const C = (weft as any)[t.name];
      const b = C.fromRaw(raw);
      expect(b).toBeInstanceOf(C);
      expect(b.load(O.SeqCst)).toBe(v);
      b.drop();
    }
  });

  it("fromRaw rejects forged, stale and foreign handles with InvalidHandleError", () => {
    const a = new weft.AtomicI32(7);
    const raw = a.intoRaw();
    expect(thrown(() => weft.AtomicI32.fromRaw({ ptr: raw.ptr + 8, gen: raw.gen }))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.AtomicI32.fromRaw({ ptr: raw.ptr, gen: raw.gen + 1 }))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.AtomicI32.fromRaw({ ptr: 12345, gen: 1 }))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.AtomicI32.fromRaw({ ptr: 0, gen: 0 }))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.AtomicI32.fromRaw(null as never))).toBeInstanceOf(weft.InvalidArgumentError);
    // An atomic of another type, or another kind of object, is not an AtomicI32 ...
    expect(thrown(() => weft.AtomicU32.fromRaw(raw))).toBeInstanceOf(weft.InvalidHandleError);
    expect(thrown(() => weft.AtomicBool.fromRaw(raw))).toBeInstanceOf(weft.InvalidHandleError);
    const m = new weft.Mutex(0);
    const mraw = m.intoRaw();
    expect(thrown(() => weft.AtomicI32.fromRaw(mraw))).toBeInstanceOf(weft.InvalidHandleError);
    weft.Mutex.fromRaw(mraw).drop();
    // ... and the failed attempts consumed nothing: the raw reference is still good.
    const b = weft.AtomicI32.fromRaw(raw);
    expect(b.load(O.SeqCst)).toBe(7);
    b.drop();
    // Once freed, the raw handle is stale.
    expect(thrown(() => weft.AtomicI32.fromRaw(raw))).toBeInstanceOf(weft.InvalidHandleError);
  });

  it("a handle sent to a thread arrives as the same class over the same value", async () => {
    const hs = [new weft.AtomicI32(-1), new weft.AtomicU32(1), new weft.AtomicI64(-1n), new weft.AtomicU64(1n), new weft.AtomicBool(true)];
    const names = await weft.spawn([hs], (hs) => {
      const w = (globalThis as any).weft;
      return hs.map((h: any) => [h.constructor.name, h instanceof w[h.constructor.name], h.load(w.Ordering.SeqCst)]);
    }).join();
    expect(names).toEqual([
      ["AtomicI32", true, -1], ["AtomicU32", true, 1], ["AtomicI64", true, -1n], ["AtomicU64", true, 1n], ["AtomicBool", true, true],
    ]);
    hs.forEach((h) => h.drop());
  });

  it("an invalid ordering inside a thread surfaces as that thread's panic", async () => {
    const a = new weft.AtomicI32(0);
    const e = await weft.spawn([a], (a) => a.load((globalThis as any).weft.Ordering.Release)).join().catch((x) => x);
    expect(e).toBeInstanceOf(weft.ThreadPanic);
    expect(e.originalName).toBe("OrderingError");
    expect(a.load(O.SeqCst)).toBe(0);
    a.drop();
  });
});
