// AtomicI32, AtomicU32 (number) and AtomicI64, AtomicU64 (bigint): Rust's integer atomics.
//
// Each operation is one JS `Atomics.*` call on the cell view (cell.ts), or a compare-exchange
// loop for what `Atomics` lacks (nand, max, min, fetchUpdate). Arithmetic wraps at the type's
// width exactly as in Rust: the typed-array view does it (an Int32Array add wraps modulo 2^32 and
// reads back signed; a BigUint64Array sub wraps modulo 2^64 and reads back unsigned), and values
// read back through the view are already in the type's domain, so max/min compare them directly
// (unsigned for U32/U64). Arguments must be values of the type: no coercion, no wrapping.
//
// Orderings: see ordering.ts. Every operation is SeqCst, which honours every ordering.
import { AtomicCell, AtomicSpec, Cell, atomicFromRaw } from "./cell";
import { Ordering, AtomicResult, checkAny, checkLoad, checkStore, checkFailure } from "./ordering";
import type { RawHandle } from "../handle";
import { InvalidArgumentError } from "../errors";

// `Atomics` is typed per element kind; the cell's kind matches T by construction (the spec).
interface LooseAtomics {
  load(a: Cell, i: number): any;
  store(a: Cell, i: number, v: any): any;
  exchange(a: Cell, i: number, v: any): any;
  compareExchange(a: Cell, i: number, expected: any, next: any): any;
  add(a: Cell, i: number, v: any): any;
  sub(a: Cell, i: number, v: any): any;
  and(a: Cell, i: number, v: any): any;
  or(a: Cell, i: number, v: any): any;
  xor(a: Cell, i: number, v: any): any;
}
const At = Atomics as unknown as LooseAtomics;

interface IntSpec<T> extends AtomicSpec<T> {
  /** `!(a & b)` at the type's width. */
  nand(a: T, b: T): T;
}

/** The integer atomics' operations, for T = number (32-bit types) or bigint (64-bit types). */
export abstract class AtomicInt<T extends number | bigint> extends AtomicCell<T> {
  readonly #nand: (a: T, b: T) => T;

  protected constructor(spec: IntSpec<T>, init: T) {
    super(spec, init);
    this.#nand = spec.nand;
  }

  /** Reads the value. Release and AcqRel throw OrderingError (Rust panics). */
  load(o: Ordering): T {
    checkLoad(o, this, "load");
    return At.load(this.cell, 0);
  }

  /** Writes the value. Acquire and AcqRel throw OrderingError (Rust panics). */
  store(v: T, o: Ordering): void {
    checkStore(o, this, "store");
    this.check(v, "store");
    At.store(this.cell, 0, v);
  }

  /** Writes `v`, returns the previous value. */
  swap(v: T, o: Ordering): T {
    checkAny(o, this, "swap");
    this.check(v, "swap");
    return At.exchange(this.cell, 0, v);
  }

  /**
   * Writes `next` if the value is `current`. Returns `{ ok: true, value: previous }` if it did,
   * `{ ok: false, value: actual }` if not. The failure ordering may not be Release or AcqRel.
   */
  compareExchange(current: T, next: T, success: Ordering, failure: Ordering): AtomicResult<T> {
    checkAny(success, this, "compareExchange");
    checkFailure(failure, this, "compareExchange");
    this.check(current, "compareExchange");
    this.check(next, "compareExchange");
    const seen: T = At.compareExchange(this.cell, 0, current, next);
    return seen === current ? { ok: true, value: seen } : { ok: false, value: seen };
  }

  /**
   * Rust's `compare_exchange_weak`: same contract, except that Rust allows it to fail spuriously.
   * A wasm/JS compare-exchange never fails spuriously, so here it behaves exactly like
   * compareExchange (which is a valid implementation of the weak form).
   */
  compareExchangeWeak(current: T, next: T, success: Ordering, failure: Ordering): AtomicResult<T> {
    checkAny(success, this, "compareExchangeWeak");
    checkFailure(failure, this, "compareExchangeWeak");
    this.check(current, "compareExchangeWeak");
    this.check(next, "compareExchangeWeak");
    const seen: T = At.compareExchange(this.cell, 0, current, next);
    return seen === current ? { ok: true, value: seen } : { ok: false, value: seen };
  }

  /** Adds (wrapping at the type's width); returns the previous value. */
  fetchAdd(v: T, o: Ordering): T {
    checkAny(o, this, "fetchAdd");
    this.check(v, "fetchAdd");
    return At.add(this.cell, 0, v);
  }

  /** Subtracts (wrapping at the type's width); returns the previous value. */
  fetchSub(v: T, o: Ordering): T {
    checkAny(o, this, "fetchSub");
    this.check(v, "fetchSub");
    return At.sub(this.cell, 0, v);
  }

  /** Bitwise and; returns the previous value. */
  fetchAnd(v: T, o: Ordering): T {
    checkAny(o, this, "fetchAnd");
    this.check(v, "fetchAnd");
    return At.and(this.cell, 0, v);
  }

  /** Bitwise or; returns the previous value. */
  fetchOr(v: T, o: Ordering): T {
    checkAny(o, this, "fetchOr");
    this.check(v, "fetchOr");
    return At.or(this.cell, 0, v);
  }

  /** Bitwise xor; returns the previous value. */
  fetchXor(v: T, o: Ordering): T {
    checkAny(o, this, "fetchXor");
    this.check(v, "fetchXor");
    return At.xor(this.cell, 0, v);
  }

  /** Stores `!(value & v)`; returns the previous value. */
  fetchNand(v: T, o: Ordering): T {
    checkAny(o, this, "fetchNand");
    this.check(v, "fetchNand");
    const nand = this.#nand;
    return this.#rmw((cur) => nand(cur, v));
  }

  /** Stores the maximum of the value and `v` (unsigned for U32/U64); returns the previous value. */
  fetchMax(v: T, o: Ordering): T {
    checkAny(o, this, "fetchMax");
    this.check(v, "fetchMax");
    return this.#rmw((cur) => (v > cur ? v : cur));
  }

  /** Stores the minimum of the value and `v` (unsigned for U32/U64); returns the previous value. */
  fetchMin(v: T, o: Ordering): T {
    checkAny(o, this, "fetchMin");
    this.check(v, "fetchMin");
    return this.#rmw((cur) => (v < cur ? v : cur));
  }

  /**
   * Rust's `fetch_update`: calls `f` with the current value and tries to store what it returns,
   * again with the fresh value each time another thread changed it meanwhile (a compare-exchange
   * loop; `f` may run several times). `f` returning `undefined` stops: `{ ok: false, value }`.
   * Otherwise `{ ok: true, value: previous }`. The fetch ordering may not be Release or AcqRel.
   */
  fetchUpdate(setOrder: Ordering, fetchOrder: Ordering, f: (value: T) => T | undefined): AtomicResult<T> {
    checkAny(setOrder, this, "fetchUpdate");
    checkLoad(fetchOrder, this, "fetchUpdate");
    if (typeof f !== "function") throw new InvalidArgumentError(`${this.constructor.name}.fetchUpdate: f must be a function`);
    let prev: T = At.load(this.cell, 0);
    for (;;) {
      const next = f(prev);
      if (next === undefined) return { ok: false, value: prev };
      this.check(next, "fetchUpdate");
      const seen: T = At.compareExchange(this.cell, 0, prev, next); // `cell` again: f may have dropped us
      if (seen === prev) return { ok: true, value: prev };
      prev = seen;
    }
  }

  /** Reads the value and drops this handle (Rust's `into_inner`; other handles stay valid). */
  intoInner(): T {
    const v: T = At.load(this.cell, 0);
    this.drop();
    return v;
  }

  /** A read-modify-write as a compare-exchange loop; always writes (an RMW even if unchanged). */
  #rmw(op: (cur: T) => T): T {
    const cell = this.cell;
    let cur: T = At.load(cell, 0);
    for (;;) {
      const seen: T = At.compareExchange(cell, 0, cur, op(cur));
      if (seen === cur) return cur;
      cur = seen;
    }
  }
}

// ---- the four types --------------------------------------------------------------------------

const I32: IntSpec<number> = {
  kind: "ATOMIC_I32",
  View: Int32Array,
  valid: (v): v is number => typeof v === "number" && (v | 0) === v,
  domain: "an integer in [-2147483648, 2147483647]",
  nand: (a, b) => ~(a & b),
};
const U32: IntSpec<number> = {
  kind: "ATOMIC_U32",
  View: Uint32Array,
  valid: (v): v is number => typeof v === "number" && v >>> 0 === v,
  domain: "an integer in [0, 4294967295]",
  nand: (a, b) => ~(a & b) >>> 0,
};
const I64: IntSpec<bigint> = {
  kind: "ATOMIC_I64",
  View: BigInt64Array,
  valid: (v): v is bigint => typeof v === "bigint" && BigInt.asIntN(64, v) === v,
  domain: "a bigint in [-(2n ** 63n), 2n ** 63n - 1n]",
  nand: (a, b) => BigInt.asIntN(64, ~(a & b)),
};
const U64: IntSpec<bigint> = {
  kind: "ATOMIC_U64",
  View: BigUint64Array,
  valid: (v): v is bigint => typeof v === "bigint" && BigInt.asUintN(64, v) === v,
  domain: "a bigint in [0n, 2n ** 64n - 1n]",
  nand: (a, b) => BigInt.asUintN(64, ~(a & b)),
};

/** Rust's `AtomicI32`: a 32-bit signed integer (JS number). `new AtomicI32()` holds 0. */
export class AtomicI32 extends AtomicInt<number> {
  constructor(v: number = 0) { super(I32, v); }
  /** Re-creates an AtomicI32 from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): AtomicI32 { return atomicFromRaw(AtomicI32, raw); }
}

/** Rust's `AtomicU32`: a 32-bit unsigned integer (JS number). `new AtomicU32()` holds 0. */
export class AtomicU32 extends AtomicInt<number> {
  constructor(v: number = 0) { super(U32, v); }
  /** Re-creates an AtomicU32 from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): AtomicU32 { return atomicFromRaw(AtomicU32, raw); }
}

/** Rust's `AtomicI64`: a 64-bit signed integer (JS bigint). `new AtomicI64()` holds 0n. */
export class AtomicI64 extends AtomicInt<bigint> {
  constructor(v: bigint = 0n) { super(I64, v); }
  /** Re-creates an AtomicI64 from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): AtomicI64 { return atomicFromRaw(AtomicI64, raw); }
}

/** Rust's `AtomicU64`: a 64-bit unsigned integer (JS bigint). `new AtomicU64()` holds 0n. */
export class AtomicU64 extends AtomicInt<bigint> {
  constructor(v: bigint = 0n) { super(U64, v); }
  /** Re-creates an AtomicU64 from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): AtomicU64 { return atomicFromRaw(AtomicU64, raw); }
}

/** `usize`/`isize` are 32 bits on wasm32: Rust's AtomicUsize and AtomicIsize are these types. */
export const AtomicUsize = AtomicU32;
export type AtomicUsize = AtomicU32;
export const AtomicIsize = AtomicI32;
export type AtomicIsize = AtomicI32;
