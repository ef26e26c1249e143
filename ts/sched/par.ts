// rayon's parallel iterators over typed arrays and integer ranges (README decision 4 of
// assembly/sched/): `await weft.par(src).map(f).filter(p).sum()` and friends, on the pool of
// ts/sched/pool.ts (the calling worker's pool, else the default one).
//
// Two engines under one builder:
//   * built-in reductions (sum / min / max / count) straight over a range or an Int32 / Uint32 /
//     Float32 / Float64 array run entirely in wasm: one JS job calls `sched_par_reduce`, whose
//     K_PAR kernel (assembly/sched/par.ts) splits adaptively with wasm joins;
//   * everything with a JS function (map, filter, forEach, reduce, collect, or another element
//     type) splits the same way in JS — rayon's Splitter: a budget of `threads` splits, halved at
//     each split, reset to `threads` when the job was stolen (it runs on another worker than the
//     one that made it), no split below 2 * minLen — with the pool's work-first `join`, and each
//     leaf runs the user's functions over its chunk in a plain JS loop on a typed-array view of
//     the shared memory. Functions travel as source (like spawn's): they must be self-contained.
//
// Outside a pool the terminal operations return a Promise; on a pool worker (nested par) they
// run synchronously and return the value, like `join` there.
import { compileSource } from "../compile";
import { parSort } from "./sort";
import { engine } from "../engine";
import { ThreadPool, getDefaultPool } from "./pool";
import { SharedArray, SharedTypedArray, ElementType } from "../shared-array";
import { InvalidArgumentError, OutOfMemoryError } from "../errors";

/** rayon's default is 1; a JS leaf costs a job record, so weft starts at 1024 elements. */
export const PAR_DEFAULT_MIN_LEN = 1024;

/** A half-open range of integers [start, end), rayon's `(start..end).into_par_iter()`. */
export class ParRange {
  constructor(readonly start: number, readonly end: number) {}
  get length(): number { return Math.max(0, this.end - this.start); }
}

/** `start..end` (end exclusive; `range(1, 1001)` is rayon's `1..=1000`). Safe integers only. */
export function range(start: number, end: number): ParRange {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    throw new InvalidArgumentError(`weft.range(start, end): bounds must be safe integers, got ${String(start)}, ${String(end)}`);
  }
  return new ParRange(start, end);
}

const MAP = 0, FILTER = 1;
type Stage = [number, string];
type Op = "sum" | "min" | "max" | "count" | "reduce" | "forEach" | "collect";

/** What travels to the workers (encoded with each stolen half). */
interface Desc {
  /** PK_* for a source the wasm kernel reads, -1 otherwise. */
  k: number;
  /** The source: "range" or the typed array's constructor name. */
  t: string;
  /** First element's address (arrays). */
  p: number;
  s: number;
  e: number;
  /** Range start (index 0's value) — for arrays 0. */
  r0: number;
  m: number;
  st: Stage[];
  op: Op;
  /** forEach's function / reduce's op. */
  f: string | null;
  /** reduce's identity. */
  id: unknown;
  /** forEach's extra arguments. */
  a: unknown[];
  /** collect: output address and constructor name (no filter: written in place), or null. */
  o: number;
  ot: string;
}

function compile(src: string): Function { return compileSource(src, "par"); }

function sourceOf(fn: unknown, what: string): string {
  if (typeof fn === "string") {
    const f = compile(fn);
    if (typeof f !== "function") throw new InvalidArgumentError(`${what}: the source is not a function`);
    return fn;
  }
  if (typeof fn !== "function") throw new InvalidArgumentError(`${what}: expected a function (or its source)`);
  const src = Function.prototype.toString.call(fn);
  if (src.endsWith("{ [native code] }")) throw new InvalidArgumentError(`${what}: native functions cannot be sent to a worker`);
  return src;
}

const WASM_KINDS: Record<string, string> = {
  Float64Array: "PK_F64", Float32Array: "PK_F32", Int32Array: "PK_I32", Uint32Array: "PK_U32",
};
const TYPED = new Set([
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
]);

interface Source { t: string; p: number; n: number; r0: number; shared: SharedArray | null; temp: boolean; }

function tagOf(v: unknown): string | undefined {
  return ArrayBuffer.isView(v) ? (v as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] : undefined;
}

/** The source of `par(src)`; plain arrays and unshared typed arrays are copied into a SharedArray. */
function toSource(src: unknown): Source {
  if (src instanceof ParRange) return { t: "range", p: 0, n: src.length, r0: src.start, shared: null, temp: false };
  if (typeof src === "number") {
    if (!Number.isSafeInteger(src) || src < 0) throw new InvalidArgumentError(`weft.par(n): n must be a non-negative safe integer, got ${String(src)}`);
    return { t: "range", p: 0, n: src, r0: 0, shared: null, temp: false };
  }
  if (src instanceof SharedArray) {
    const a = src.array;
    return { t: tagOf(a)!, p: a.byteOffset, n: a.length, r0: 0, shared: src, temp: false };
  }
  let copy: SharedArray;
  const tag = tagOf(src);
  if (tag !== undefined && TYPED.has(tag)) {
    copy = SharedArray.from(src as SharedTypedArray);
  } else if (Array.isArray(src)) {
    if (!src.every((v) => typeof v === "number")) throw new InvalidArgumentError("weft.par(array): a plain array must hold numbers only (it is copied into a Float64 SharedArray)");
    copy = SharedArray.from(Float64Array.from(src as number[]));
  } else {
    throw new InvalidArgumentError(`weft.par(source): expected a SharedArray, a typed array, an array of numbers, a weft.range or a length, got ${src === null ? "null" : typeof src}`);
  }
  const a = copy.array;
  return { t: tagOf(a)!, p: a.byteOffset, n: a.length, r0: 0, shared: copy, temp: true };
}

type MaybePromise<T> = T | Promise<T>;
/** f(v) now or when v settles; `fin` always after, `fail` too when it failed. */
function then<T, U>(v: MaybePromise<T>, f: (t: T) => U, fin: () => void, fail: () => void): MaybePromise<U> {
  if (v instanceof Promise) return v.then(f).catch((e) => { fail(); throw e; }).finally(fin);
  try { return f(v); } catch (e) { fail(); throw e; } finally { fin(); }
}

/** A parallel iterator: a builder; every method returns a new one, terminal methods run it. */
export class ParIter {
  readonly #src: unknown;
  readonly #stages: Stage[];
  readonly #minLen: number;

  /** @internal */
  constructor(src: unknown, stages: Stage[] = [], minLen = PAR_DEFAULT_MIN_LEN) {
    this.#src = src; this.#stages = stages; this.#minLen = minLen;
  }

  /** rayon's with_min_len: leaves hold at least `n` elements (an integer >= 1). */
  withMinLen(n: number): ParIter {
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`ParIter.withMinLen(n): n must be an integer >= 1, got ${String(n)}`);
    return new ParIter(this.#src, this.#stages, n);
  }
  /** `f(value, index)` for every element (index: position in the source). */
  map(f: ((v: any, i: number) => unknown) | string): ParIter {
    return new ParIter(this.#src, [...this.#stages, [MAP, sourceOf(f, "ParIter.map")]], this.#minLen);
  }
  /** Keeps the elements for which `p(value, index)` is truthy. */
  filter(p: ((v: any, i: number) => unknown) | string): ParIter {
    return new ParIter(this.#src, [...this.#stages, [FILTER, sourceOf(p, "ParIter.filter")]], this.#minLen);
  }

  /** The sum (0 when empty). Integer sources in wasm: exact, a bigint if beyond 2^53. */
  sum(): MaybePromise<number | bigint> { return this.#run("sum") as MaybePromise<number | bigint>; }
  /** The least element (Math.min's rules: NaN wins), undefined when empty. */
  min(): MaybePromise<number | bigint | undefined> { return this.#run("min") as MaybePromise<number | undefined>; }
  /** The greatest element, undefined when empty. */
  max(): MaybePromise<number | bigint | undefined> { return this.#run("max") as MaybePromise<number | undefined>; }
  count(): MaybePromise<number> { return this.#run("count") as MaybePromise<number>; }
  /** rayon's reduce: folds each chunk from `identity` with `op`, then combines the chunks with `op` (op must be associative, identity its neutral value). */
  reduce<T>(identity: T, op: ((a: T, b: T) => T) | string): MaybePromise<T> {
    return this.#run("reduce", sourceOf(op, "ParIter.reduce"), identity) as MaybePromise<T>;
  }
  /**
   * `f(value, index, ...args)` for every element. `args` (optional, first) are sent with the
   * function like spawn's: handles (a SharedArray to write results into) are shared, not moved.
   */
  forEach(f: ((v: any, i: number) => void) | string): MaybePromise<void>;
  forEach<const A extends unknown[]>(args: A, f: ((v: any, i: number, ...args: A) => void) | string): MaybePromise<void>;
  forEach(a: unknown, b?: unknown): MaybePromise<void> {
    if (Array.isArray(a)) return this.#run("forEach", sourceOf(b, "ParIter.forEach(args, f)"), undefined, undefined, a) as MaybePromise<void>;
    return this.#run("forEach", sourceOf(a, "ParIter.forEach")) as MaybePromise<void>;
  }
  /**
   * rayon's par_sort for numbers: sorts the source in place, in TypedArray order (ascending,
   * -0 before +0, NaN last). A SharedArray is sorted where it is; a typed array or a plain array
   * is copied in, sorted, and copied back. Not for ranges or after map/filter.
   */
  sort(): MaybePromise<void> {
    if (this.#stages.length > 0) throw new InvalidArgumentError("ParIter.sort(): sorts its source in place; it cannot follow map or filter");
    const orig = this.#src;
    if (orig instanceof ParRange || typeof orig === "number") throw new InvalidArgumentError("ParIter.sort(): a range has nothing to sort in place");
    if (tagOf(orig) === "BigInt64Array" || tagOf(orig) === "BigUint64Array" || (orig instanceof SharedArray && /^Big/.test(tagOf(orig.array) ?? ""))) {
      throw new InvalidArgumentError("ParIter.sort(): BigInt arrays are not supported yet");
    }
    const src = toSource(orig);
    const sa = src.shared!;
    const back = (): void => {
      if (!src.temp) return;
      const sorted = sa.array as unknown as ArrayLike<number>;
      const target = orig as { [i: number]: number; length: number };
      for (let i = 0; i < target.length; i++) target[i] = sorted[i];
    };
    let r: MaybePromise<unknown>;
    try {
      r = parSort(sa, this.#minLen) as MaybePromise<unknown>;
    } catch (e) {
      if (src.temp) sa.drop();
      throw e;
    }
    return then(r, () => { back(); }, () => { if (src.temp) sa.drop(); }, () => {});
  }

  /** The elements, in order, in a new SharedArray of `type` (default Float64Array). */
  collect<A extends SharedTypedArray = Float64Array>(type?: ElementType<A>): MaybePromise<SharedArray<A>> {
    const T = (type ?? Float64Array) as ElementType<A>;
    if (typeof T !== "function" || !TYPED.has(T.name)) throw new InvalidArgumentError("ParIter.collect(type): expected a typed-array constructor");
    return this.#run("collect", null, undefined, T) as MaybePromise<SharedArray<A>>;
  }

  #run(op: Op, f: string | null = null, identity: unknown = undefined, outType?: ElementType, args: unknown[] = []): MaybePromise<unknown> {
    const { L } = engine();
    const src = toSource(this.#src);
    let out: SharedArray | null = null;
    let queued = false;
    const cleanup = (): void => { if (src.temp) src.shared!.drop(); };
    try {
      const filtered = this.#stages.some(([k]) => k === FILTER);
      if (op === "collect" && !filtered) out = new SharedArray(outType!, src.n);
      const wasmKind = src.t === "range" ? "PK_RANGE" : WASM_KINDS[src.t];
      const wasm = this.#stages.length === 0 && wasmKind !== undefined && (op === "sum" || op === "min" || op === "max" || op === "count");
      if (wasm && src.t === "range" && op === "sum") {
        // i64 accumulation: refuse what could overflow it (|sum| <= n * max|x| < 2^63).
        const big = Math.max(Math.abs(src.r0), Math.abs(src.r0 + src.n));
        if (src.n * big >= 2 ** 62) throw new InvalidArgumentError("ParIter.sum: this range's sum could overflow 64 bits; map it to BigInt and reduce instead");
      }
      const d: Desc = {
        k: wasm ? L[wasmKind!] : -1, t: src.t, p: src.p, s: 0, e: src.n, r0: src.r0, m: this.#minLen,
        st: this.#stages, op, f, id: identity, a: args, o: out !== null ? out.array.byteOffset : 0, ot: out !== null ? outType!.name : "",
      };
      const pool = ThreadPool.current() ?? getDefaultPool();
      const r = pool.install([d], (d: Desc) => (globalThis as unknown as { weft: { __parRun(d: Desc): unknown } }).weft.__parRun(d)) as MaybePromise<unknown>;
      queued = true; // from here then() cleans up
      const o = out;
      return then(r, (v) => {
        if (op === "collect") {
          if (o !== null) return o;
          const vals = v as unknown[];
          const sa = new SharedArray(outType!, vals.length);
          (sa.array as unknown as { set(a: ArrayLike<unknown>): void }).set(vals);
          return sa;
        }
        return op === "forEach" ? undefined : v;
      }, cleanup, () => o?.drop()); // a failed collect leaks no output array
    } catch (e) {
      // Failed before then() took over (bad input, or the job failed inline on a worker).
      if (!queued) { out?.drop(); cleanup(); }
      throw e;
    }
  }
}

/** rayon's `par_iter()` / `into_par_iter()`: a SharedArray, a typed array or array of numbers (copied into a SharedArray first), a `weft.range(start, end)`, or a length n (the range 0..n). */
export function par(source: SharedArray | SharedTypedArray | number[] | ParRange | number): ParIter {
  // The builder holds no memory: a copy of a plain source is made (and dropped) by each terminal call.
  if (!(source instanceof ParRange) && !(source instanceof SharedArray) && !Array.isArray(source) && typeof source !== "number" && !TYPED.has(tagOf(source) ?? "")) {
    throw new InvalidArgumentError(`weft.par(source): expected a SharedArray, a typed array, an array of numbers, a weft.range or a length, got ${source === null ? "null" : typeof source}`);
  }
  if (typeof source === "number" && (!Number.isSafeInteger(source) || source < 0)) {
    throw new InvalidArgumentError(`weft.par(n): n must be a non-negative safe integer, got ${String(source)}`);
  }
  return new ParIter(source);
}

// ---- the worker side ------------------------------------------------------------------------

/** @internal On a pool worker: runs the whole job `d` (the JS job `install` sent). */
export function __parRun(d: Desc): unknown {
  if (d.k >= 0) {
    const { x, L } = engine();
    const v = x.sched_par_reduce(d.k, L["PO_" + d.op.toUpperCase()], d.p, d.r0 + d.s, d.r0 + d.e, d.m) as number;
    const has = x.sched_par_has() as number;
    if (has === 2) throw new OutOfMemoryError(64);
    if (has === 0) return d.op === "sum" || d.op === "count" ? 0 : undefined;
    if (x.sched_par_exact() === 0) {
      return BigInt.asIntN(64, (BigInt(x.sched_par_bits_hi() >>> 0) << 32n) | BigInt(x.sched_par_bits_lo() >>> 0));
    }
    return v;
  }
  const pool = ThreadPool.current()!;
  const r = __parPart(d, d.s, d.e, pool.threads, ThreadPool.currentThreadIndex()!);
  return d.op === "sum" && r === undefined ? 0 : d.op === "count" && r === undefined ? 0 : r;
}

/**
 * @internal One part [s, e) of `d` on a pool worker: splits it (rayon's Splitter, header) with
 * the pool's join, or folds it here. `splits` is the budget, `owner` the worker that made the part.
 */
export function __parPart(d: Desc, s: number, e: number, splits: number, owner: number): unknown {
  const w = ThreadPool.currentThreadIndex()!;
  const len = e - s;
  let split = false;
  if (len >= 2 && Math.floor(len / 2) >= d.m) {
    const pool = ThreadPool.current()!;
    if (owner !== w) { splits = Math.max(pool.threads, splits >>> 1); split = true; }
    else if (splits > 0) { splits >>>= 1; split = true; }
    if (split) {
      const mid = s + Math.floor(len / 2);
      const part = (d: Desc, s: number, e: number, sp: number, o: number): unknown =>
        (globalThis as unknown as { weft: { __parPart(d: Desc, s: number, e: number, sp: number, o: number): unknown } }).weft.__parPart(d, s, e, sp, o);
      const [a, b] = pool.join([d, s, mid, splits, w], part, [d, mid, e, splits, w], part) as unknown as [unknown, unknown];
      return combine(d, a, b);
    }
  }
  return leaf(d, s, e);
}

function combine(d: Desc, a: unknown, b: unknown): unknown {
  switch (d.op) {
    case "forEach": return null;
    case "collect": return a === null ? null : (a as unknown[]).concat(b as unknown[]);
    case "reduce": return (compile(d.f!) as (a: unknown, b: unknown) => unknown)(a, b);
    case "count": return (a as number) + (b as number);
    default:
      if (a === undefined) return b;
      if (b === undefined) return a;
      return pick(d.op, a, b);
  }
}

function pick(op: Op, acc: any, v: any): any {
  if (op === "sum") return acc + v;
  if (typeof acc === "number" && typeof v === "number") return op === "min" ? Math.min(acc, v) : Math.max(acc, v);
  return op === "min" ? (v < acc ? v : acc) : (v > acc ? v : acc);
}

/** Folds [s, e) of `d` here: the user's functions in a plain loop over a view of the shared memory. */
function leaf(d: Desc, s: number, e: number): unknown {
  const fns = d.st.map(([k, src]) => [k, compile(src)] as [number, (v: unknown, i: number) => unknown]);
  const n = fns.length;
  const buf = engine().memory.buffer;
  const C = d.t === "range" ? null : (globalThis as unknown as Record<string, ElementType>)[d.t];
  const view = C === null ? null : new C(buf, d.p + s * C.BYTES_PER_ELEMENT, e - s) as unknown as ArrayLike<unknown>;
  const out = d.o !== 0 ? new ((globalThis as unknown as Record<string, ElementType>)[d.ot])(buf, d.o + s * (globalThis as unknown as Record<string, ElementType>)[d.ot].BYTES_PER_ELEMENT, e - s) as unknown as { [i: number]: unknown } : null;
  const op = d.op;
  const f = d.f !== null ? compile(d.f) as (a: unknown, b: unknown, ...rest: unknown[]) => unknown : null;
  const args = d.a;
  if (n === 1 && fns[0][0] === MAP && op === "sum") return mapSum(fns[0][1], view, d.r0, s, e);
  let acc: unknown = op === "reduce" ? d.id : op === "count" ? 0 : undefined;
  const kept: unknown[] | null = op === "collect" && out === null ? [] : null;
  outer: for (let i = s; i < e; i++) {
    let v: unknown = view === null ? d.r0 + i : view[i - s];
    for (let j = 0; j < n; j++) {
      const [k, g] = fns[j];
      if (k === MAP) v = g(v, i);
      else if (!g(v, i)) continue outer;
    }
    switch (op) {
      case "sum": acc = acc === undefined ? v : (acc as number) + (v as number); break;
      case "min": case "max": acc = acc === undefined ? v : pick(op, acc, v); break;
      case "count": acc = (acc as number) + 1; break;
      case "reduce": acc = f!(acc, v); break;
      case "forEach": f!(v, i, ...args); break;
      case "collect": if (out !== null) out[i - s] = v; else kept!.push(v); break;
    }
  }
  if (op === "forEach") return null;
  if (op === "collect") return kept;
  return acc;
}

/** leaf() for the common `map(g).sum()`: one call per element, no stage loop, no op switch. */
function mapSum(g: (v: unknown, i: number) => unknown, view: ArrayLike<unknown> | null, r0: number, s: number, e: number): unknown {
  let acc: any = undefined;
  if (view === null) {
    for (let i = s; i < e; i++) { const v: any = g(r0 + i, i); acc = acc === undefined ? v : acc + v; }
  } else {
    for (let i = s; i < e; i++) { const v: any = g(view[i - s], i); acc = acc === undefined ? v : acc + v; }
  }
  return acc;
}
