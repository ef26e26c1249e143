// Ordering validation: the orderings Rust rejects with a panic throw OrderingError, anything that
// is not an Ordering throws InvalidArgumentError, and nothing is written when a call throws.
import { describe, it, expect } from "vitest";
import { useWeft, weft } from "./helpers";
import { O, ALL, LOAD_OK, STORE_OK, NOT_ORDERINGS, TYPES, rmwOf, thrown } from "./atomic-fixtures";

useWeft(1);

describe("ordering validation (Rust's panics throw OrderingError)", () => {
  for (const t of TYPES) {
    it(`${t.name}: load accepts Relaxed/Acquire/SeqCst, throws for Release and AcqRel`, () => {
      const a = t.make();
      for (const o of LOAD_OK) expect(() => a.load(o)).not.toThrow();
      const rel = thrown(() => a.load(O.Release));
      expect(rel).toBeInstanceOf(weft.OrderingError);
      expect(rel.message).toBe(`${t.name}.load: there is no such thing as a release load`);
      const ar = thrown(() => a.load(O.AcqRel));
      expect(ar).toBeInstanceOf(weft.OrderingError);
      expect(ar.message).toBe(`${t.name}.load: there is no such thing as an acquire-release load`);
      a.drop();
    });

    it(`${t.name}: store accepts Relaxed/Release/SeqCst, throws for Acquire and AcqRel without writing`, () => {
      const a = t.make();
      const before = a.load(O.SeqCst);
      const acq = thrown(() => a.store(t.arg, O.Acquire));
      expect(acq).toBeInstanceOf(weft.OrderingError);
      expect(acq.message).toMatch(/there is no such thing as an acquire store$/);
      const ar = thrown(() => a.store(t.arg, O.AcqRel));
      expect(ar).toBeInstanceOf(weft.OrderingError);
      expect(ar.message).toMatch(/there is no such thing as an acquire-release store$/);
      expect(a.load(O.SeqCst)).toBe(before);
      for (const o of STORE_OK) expect(() => a.store(t.arg, o)).not.toThrow();
      expect(a.load(O.SeqCst)).toBe(t.arg);
      a.drop();
    });

    it(`${t.name}: compareExchange(Weak) takes any success ordering, throws for a Release/AcqRel failure ordering`, () => {
      const a = t.make();
      const v = a.load(O.SeqCst);
      for (const m of ["compareExchange", "compareExchangeWeak"]) {
        for (const success of ALL) {
          for (const failure of [O.Release, O.AcqRel]) {
            const e = thrown(() => a[m](v, t.arg, success, failure));
            expect(e, `${m}(${success}, ${failure})`).toBeInstanceOf(weft.OrderingError);
            expect(e.message).toMatch(failure === O.Release
              ? /there is no such thing as a release failure ordering$/
              : /there is no such thing as an acquire-release failure ordering$/);
          }
          expect(a.load(O.SeqCst)).toBe(v); // nothing was exchanged
          for (const failure of LOAD_OK) expect(a[m](t.arg, t.arg, success, failure).ok).toBe(a.load(O.SeqCst) === t.arg);
          a.store(v, O.SeqCst);
        }
      }
      a.drop();
    });

    it(`${t.name}: fetchUpdate takes any set ordering, throws for a Release/AcqRel fetch ordering before calling f`, () => {
      const a = t.make();
      let calls = 0;
      const f = (x: unknown) => { calls++; return x; };
      for (const set of ALL) {
        expect(thrown(() => a.fetchUpdate(set, O.Release, f))).toBeInstanceOf(weft.OrderingError);
        expect(thrown(() => a.fetchUpdate(set, O.AcqRel, f))).toBeInstanceOf(weft.OrderingError);
      }
      expect(calls).toBe(0);
      for (const set of ALL) for (const fetch of LOAD_OK) expect(a.fetchUpdate(set, fetch, f).ok).toBe(true);
      expect(calls).toBe(ALL.length * LOAD_OK.length);
      a.drop();
    });

    it(`${t.name}: read-modify-write operations accept every ordering`, () => {
      const a = t.make();
      for (const m of rmwOf(t.name)) for (const o of ALL) expect(() => a[m](t.arg, o), `${m}(${o})`).not.toThrow();
      a.drop();
    });

    it(`${t.name}: anything that is not an Ordering throws InvalidArgumentError`, () => {
      const a = t.make();
      const before = a.load(O.SeqCst);
      for (const bad of NOT_ORDERINGS) {
        const calls: [string, () => unknown][] = [
          ["load", () => a.load(bad)],
          ["store", () => a.store(t.arg, bad)],
          ["compareExchange success", () => a.compareExchange(before, t.arg, bad, O.SeqCst)],
          ["compareExchange failure", () => a.compareExchange(before, t.arg, O.SeqCst, bad)],
          ["compareExchangeWeak failure", () => a.compareExchangeWeak(before, t.arg, O.SeqCst, bad)],
          ["fetchUpdate set", () => a.fetchUpdate(bad, O.SeqCst, (x: unknown) => x)],
          ["fetchUpdate fetch", () => a.fetchUpdate(O.SeqCst, bad, (x: unknown) => x)],
          ...rmwOf(t.name).map((m): [string, () => unknown] => [m, () => a[m](t.arg, bad)]),
        ];
        for (const [what, call] of calls) {
          const e = thrown(call);
          expect(e, `${what} with ${String(bad)}`).toBeInstanceOf(weft.InvalidArgumentError);
          expect(e).not.toBeInstanceOf(weft.OrderingError);
        }
      }
      expect(a.load(O.SeqCst)).toBe(before);
      a.drop();
    });
  }

  it("AtomicBool.fetchNot accepts every ordering and rejects non-orderings", () => {
    const b = new weft.AtomicBool(false);
    for (const o of ALL) b.fetchNot(o);
    expect(b.load(O.SeqCst)).toBe(true); // five flips
    expect(thrown(() => b.fetchNot(undefined as never))).toBeInstanceOf(weft.InvalidArgumentError);
    b.drop();
  });

  it("fence and compilerFence: Relaxed throws OrderingError, the other orderings pass", () => {
    for (const f of [weft.fence, weft.compilerFence]) {
      for (const o of [O.Acquire, O.Release, O.AcqRel, O.SeqCst]) expect(f(o)).toBeUndefined();
      const e = thrown(() => f(O.Relaxed));
      expect(e).toBeInstanceOf(weft.OrderingError);
      expect(e.message).toMatch(/there is no such thing as a relaxed (compiler )?fence$/);
      for (const bad of NOT_ORDERINGS) expect(thrown(() => f(bad as never))).toBeInstanceOf(weft.InvalidArgumentError);
    }
  });
});
