// AtomicBool: Rust's atomic boolean, stored as an i32 word holding 0 or 1 (Rust's is a byte;
// wasm's smallest atomic wait/notify unit is 32 bits, and only 0/1 are ever written to it).
//
// Every operation is one JS `Atomics.*` call on the cell view (cell.ts); the boolean operators
// map onto bit operations on 0/1 (and, or, xor), nand follows Rust's own implementation
// (`if v { fetch_xor(true) } else { swap(true) }`). Orderings: see ordering.ts.
import { AtomicCell, AtomicSpec, atomicFromRaw } from "./cell";
import { Ordering, AtomicResult, checkAny, checkLoad, checkStore, checkFailure } from "./ordering";
import type { RawHandle } from "../handle";
import { InvalidArgumentError } from "../errors";

const BOOL: AtomicSpec<boolean> = {
  kind: "ATOMIC_BOOL",
  View: Int32Array,
  valid: (v): v is boolean => typeof v === "boolean",
  domain: "a boolean",
};

/** Rust's `AtomicBool`. `new AtomicBool()` holds false. */
export class AtomicBool extends AtomicCell<boolean> {
  constructor(v: boolean = false) { super(BOOL, v); }

  /** Re-creates an AtomicBool from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): AtomicBool { return atomicFromRaw(AtomicBool, raw); }

  protected toCell(v: boolean): number { return v ? 1 : 0; }
  get #i32(): Int32Array { return this.cell as Int32Array; }

  /** Reads the value. Release and AcqRel throw OrderingError (Rust panics). */
  load(o: Ordering): boolean {
    checkLoad(o, this, "load");
    return Atomics.load(this.#i32, 0) !== 0;
  }

  /** Writes the value. Acquire and AcqRel throw OrderingError (Rust panics). */
  store(v: boolean, o: Ordering): void {
    checkStore(o, this, "store");
    this.check(v, "store");
    Atomics.store(this.#i32, 0, v ? 1 : 0);
  }

  /** Writes `v`, returns the previous value. */
  swap(v: boolean, o: Ordering): boolean {
    checkAny(o, this, "swap");
    this.check(v, "swap");
    return Atomics.exchange(this.#i32, 0, v ? 1 : 0) !== 0;
  }

  /**
   * Writes `next` if the value is `current`: `{ ok: true, value: previous }`, or
   * `{ ok: false, value: actual }`. The failure ordering may not be Release or AcqRel.
   */
  compareExchange(current: boolean, next: boolean, success: Ordering, failure: Ordering): AtomicResult<boolean> {
    checkAny(success, this, "compareExchange");
    checkFailure(failure, this, "compareExchange");
    this.check(current, "compareExchange");
    this.check(next, "compareExchange");
    const seen = Atomics.compareExchange(this.#i32, 0, current ? 1 : 0, next ? 1 : 0) !== 0;
    return seen === current ? { ok: true, value: seen } : { ok: false, value: seen };
  }

  /**
   * Rust's `compare_exchange_weak`. Rust allows it to fail spuriously; a wasm/JS compare-exchange
   * never does, so it behaves exactly like compareExchange (a valid weak implementation).
   */
  compareExchangeWeak(current: boolean, next: boolean, success: Ordering, failure: Ordering): AtomicResult<boolean> {
    checkAny(success, this, "compareExchangeWeak");
    checkFailure(failure, this, "compareExchangeWeak");
    this.check(current, "compareExchangeWeak");
    this.check(next, "compareExchangeWeak");
    const seen = Atomics.compareExchange(this.#i32, 0, current ? 1 : 0, next ? 1 : 0) !== 0;
    return seen === current ? { ok: true, value: seen } : { ok: false, value: seen };
  }

  /** Logical and; returns the previous value. */
  fetchAnd(v: boolean, o: Ordering): boolean {
    checkAny(o, this, "fetchAnd");
    this.check(v, "fetchAnd");
    return Atomics.and(this.#i32, 0, v ? 1 : 0) !== 0;
  }

  /** Stores `!(value && v)`; returns the previous value. */
  fetchNand(v: boolean, o: Ordering): boolean {
    checkAny(o, this, "fetchNand");
    this.check(v, "fetchNand");
    // !(x && true) = !x = x ^ 1;  !(x && false) = true.
    return (v ? Atomics.xor(this.#i32, 0, 1) : Atomics.exchange(this.#i32, 0, 1)) !== 0;
  }

  /** Logical or; returns the previous value. */
  fetchOr(v: boolean, o: Ordering): boolean {
    checkAny(o, this, "fetchOr");
    this.check(v, "fetchOr");
    return Atomics.or(this.#i32, 0, v ? 1 : 0) !== 0;
  }

  /** Logical xor; returns the previous value. */
  fetchXor(v: boolean, o: Ordering): boolean {
    checkAny(o, this, "fetchXor");
    this.check(v, "fetchXor");
    return Atomics.xor(this.#i32, 0, v ? 1 : 0) !== 0;
  }

  /** Logical not (Rust's `fetch_not`); returns the previous value. */
  fetchNot(o: Ordering): boolean {
    checkAny(o, this, "fetchNot");
    return Atomics.xor(this.#i32, 0, 1) !== 0;
  }

  /**
   * Rust's `fetch_update`: calls `f` with the current value and tries to store what it returns,
   * retrying with the fresh value when another thread changed it meanwhile. `f` returning
   * `undefined` stops: `{ ok: false, value }`; otherwise `{ ok: true, value: previous }`.
   * The fetch ordering may not be Release or AcqRel.
   */
  fetchUpdate(setOrder: Ordering, fetchOrder: Ordering, f: (value: boolean) => boolean | undefined): AtomicResult<boolean> {
    checkAny(setOrder, this, "fetchUpdate");
    checkLoad(fetchOrder, this, "fetchUpdate");
    if (typeof f !== "function") throw new InvalidArgumentError("AtomicBool.fetchUpdate: f must be a function");
    let prev = Atomics.load(this.#i32, 0) !== 0;
    for (;;) {
      const next = f(prev);
      if (next === undefined) return { ok: false, value: prev };
      this.check(next, "fetchUpdate");
      const seen = Atomics.compareExchange(this.#i32, 0, prev ? 1 : 0, next ? 1 : 0) !== 0;
      if (seen === prev) return { ok: true, value: prev };
      prev = seen;
    }
  }

  /** Reads the value and drops this handle (Rust's `into_inner`; other handles stay valid). */
  intoInner(): boolean {
    const v = Atomics.load(this.#i32, 0) !== 0;
    this.drop();
    return v;
  }
}
