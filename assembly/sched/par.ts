// par: rayon's parallel iterators over numeric sources, run entirely in wasm on the pool
// (README decision 4). One built-in kernel, K_PAR (kernels.ts), folds a range of indices of a
// source — a range of integers or the elements of a typed array in the shared heap — with one
// of the built-in reductions (sum, min, max, count).
//
// Adaptive splitting (rayon's iter/plumbing `bridge_producer_consumer` with its Splitter and
// LengthSplitter): every job carries a split budget SPLITS, starting at the pool's worker count.
// A job splits its range in half (a wasm join of two K_PAR jobs) when
//   len / 2 >= MINLEN   and   (it was stolen: SPLITS = max(workers, SPLITS / 2)
//                              or SPLITS > 0: SPLITS = SPLITS / 2),
// and folds its range sequentially otherwise. "Stolen" is rayon's `migrated`: the worker running
// the job is not the worker that created it (OWNER). So a pool where nobody steals splits only
// log2(workers) levels deep, and each steal gives the thief a fresh budget to split its half
// again: the work spreads only as far as there are idle workers to take it.
//
// Exactness: integer sources (ranges, Int32, Uint32) sum in i64; a Float32 / Float64 sum adds
// in f64, each leaf from left to right and then the halves: the association differs from a
// sequential left fold (as rayon's), so the last bits of a float sum may differ. min / max
// follow wasm's f64.min / f64.max (= Math.min / Math.max: NaN wins, -0 < +0).
//
//   K_PAR data block (PR_SIZE bytes, on the job stack of the worker that made it):
//   0      4    8      12       16            24          32       36      40          48    52
//   +------+----+------+--------+-------------+-----------+--------+-------+-----------+-----+----+
//   | KIND | OP | BASE | SPLITS | START (i64) | END (i64) | MINLEN | OWNER | RESULT    | HAS | ·· |
//   +------+----+------+--------+-------------+-----------+--------+-------+-----------+-----+----+
//   KIND    PK_*: the source (a range, or the element type of the array at BASE)
//   OP      PO_*: the reduction
//   BASE    first element of the array (unused for a range)
//   START   first index (a range: first value); END one past the last
//   RESULT  i64 (integer sources, count) or f64 (float sum / min / max); valid when HAS is 1
//   HAS     0 when the range was empty (min / max of nothing: rayon's None)
// Every field is written by the job's creator before the join's push publishes it, and read or
// written after that only by the job's runner; the creator reads RESULT / HAS once the join is
// done (the latch's SeqCst set / probe orders them): plain accesses throughout.
import { schedJoinAt, schedStackAlloc, schedStackRelease, schedCurrentWorker, schedCurrentRegistry, SJ_SIZE } from "./worker";
import { regN } from "./registry";
import { malloc, free } from "../heap/index";

export const PK_RANGE: u32 = 0;
export const PK_F64: u32 = 1;
export const PK_F32: u32 = 2;
export const PK_I32: u32 = 3;
export const PK_U32: u32 = 4;

export const PO_SUM: u32 = 0;
export const PO_MIN: u32 = 1;
export const PO_MAX: u32 = 2;
export const PO_COUNT: u32 = 3;
/**
 * Test only: each leaf sums its range (i64, as PO_SUM, for the work) and then reports the bit
 * 1 << (its worker index & 63) instead; halves combine by OR. The result is the set of workers
 * that folded a part: thief splitting spread the work when more than one bit is set.
 */
export const PO_WORKERS: u32 = 4;

export const PR_KIND: usize = 0;
export const PR_OP: usize = 4;
export const PR_BASE: usize = 8;
export const PR_SPLITS: usize = 12;
export const PR_START: usize = 16;
export const PR_END: usize = 24;
export const PR_MINLEN: usize = 32;
export const PR_OWNER: usize = 36;
export const PR_RESULT: usize = 40;
export const PR_HAS: usize = 48;
export const PR_SIZE: usize = 56;

/** The K_PAR kernel id (kernels.ts dispatches it here). */
export const K_PAR: u32 = 4;

// @ts-ignore: decorator
@inline function isFloat(kind: u32, op: u32): bool {
  return op != PO_COUNT && (kind == PK_F64 || kind == PK_F32);
}

/** K_PAR: folds data's range, splitting it in half while the splitter says so (header). */
export function parKernel(data: usize): void {
  const start = load<i64>(data + PR_START), end = load<i64>(data + PR_END);
  const len = end - start;
  const minLen = <i64>load<u32>(data + PR_MINLEN);
  if (len / 2 >= minLen && len >= 2) {
    const reg = schedCurrentRegistry();
    if (reg != 0) {
      const w = schedCurrentWorker();
      let splits = load<u32>(data + PR_SPLITS);
      let split = false;
      if (load<u32>(data + PR_OWNER) != w) { // stolen: a fresh budget (rayon's Splitter)
        const n = regN(reg);
        splits = max<u32>(n, splits >>> 1);
        split = true;
      } else if (splits > 0) {
        splits >>>= 1;
        split = true;
      }
      if (split && parSplitCold(data, start, end, splits, w)) return;
    }
  }
  parFold(data, start, end);
}

/** Splits data's range in half on this worker's job stack and joins the halves; false when the stack is full. */
function parSplitCold(data: usize, start: i64, end: i64, splits: u32, w: u32): bool {
  const rec = schedStackAlloc(SJ_SIZE + 2 * PR_SIZE);
  if (rec == 0) return false;
  const l = rec + SJ_SIZE, r = l + PR_SIZE;
  const mid = start + (end - start) / 2;
  // Plain: our own stack block until the join publishes it.
  memory.copy(l, data, PR_SIZE);
  store<u32>(l + PR_SPLITS, splits);
  store<u32>(l + PR_OWNER, w);
  store<i64>(l + PR_END, mid);
  memory.copy(r, l, PR_SIZE);
  store<i64>(r + PR_START, mid);
  store<i64>(r + PR_END, end);
  schedJoinAt(rec, K_PAR, l, K_PAR, r);
  parCombine(data, l, r); // both halves are done: their writes are visible (latch)
  schedStackRelease(rec);
  return true;
}

/** data's RESULT / HAS := the reduction of l's and r's. */
function parCombine(data: usize, l: usize, r: usize): void {
  const hl = load<u32>(l + PR_HAS), hr = load<u32>(r + PR_HAS);
  if (hl == 0 || hr == 0) {
    const src = hl != 0 ? l : r;
    store<i64>(data + PR_RESULT, load<i64>(src + PR_RESULT));
    store<u32>(data + PR_HAS, hl | hr);
    return;
  }
  const op = load<u32>(data + PR_OP);
  if (isFloat(load<u32>(data + PR_KIND), op)) {
    const a = load<f64>(l + PR_RESULT), b = load<f64>(r + PR_RESULT);
    store<f64>(data + PR_RESULT, op == PO_SUM ? a + b : op == PO_MIN ? min<f64>(a, b) : max<f64>(a, b));
  } else {
    const a = load<i64>(l + PR_RESULT), b = load<i64>(r + PR_RESULT);
    if (op == PO_WORKERS) { store<i64>(data + PR_RESULT, a | b); store<u32>(data + PR_HAS, 1); return; }
    store<i64>(data + PR_RESULT, op == PO_MIN ? min<i64>(a, b) : op == PO_MAX ? max<i64>(a, b) : a + b);
  }
  store<u32>(data + PR_HAS, 1);
}

/** The sequential fold of [start, end) into data's RESULT / HAS. */
function parFold(data: usize, start: i64, end: i64): void {
  const op = load<u32>(data + PR_OP), kind = load<u32>(data + PR_KIND);
  if (end <= start) { store<i64>(data + PR_RESULT, 0); store<u32>(data + PR_HAS, 0); return; }
  store<u32>(data + PR_HAS, 1);
  if (op == PO_COUNT) { store<i64>(data + PR_RESULT, end - start); return; }
  const base = <usize>load<u32>(data + PR_BASE);
  if (kind == PK_RANGE) {
    if (op == PO_MIN) { store<i64>(data + PR_RESULT, start); return; }
    if (op == PO_MAX) { store<i64>(data + PR_RESULT, end - 1); return; }
    let s: i64 = 0;
    for (let i = start; i < end; i++) s += i;
    if (op == PO_WORKERS) { parWorkersCold(data, s); return; }
    store<i64>(data + PR_RESULT, s);
    return;
  }
  // The array's elements: the caller keeps the array alive and unwritten while par runs.
  const a = <usize>start, b = <usize>end;
  if (kind == PK_F64 || kind == PK_F32) {
    let acc: f64 = kind == PK_F64 ? load<f64>(base + (a << 3)) : <f64>load<f32>(base + (a << 2));
    if (kind == PK_F64) {
      if (op == PO_SUM) for (let i = a + 1; i < b; i++) acc += load<f64>(base + (i << 3));
      else if (op == PO_MIN) for (let i = a + 1; i < b; i++) acc = min<f64>(acc, load<f64>(base + (i << 3)));
      else for (let i = a + 1; i < b; i++) acc = max<f64>(acc, load<f64>(base + (i << 3)));
    } else {
      if (op == PO_SUM) for (let i = a + 1; i < b; i++) acc += <f64>load<f32>(base + (i << 2));
      else if (op == PO_MIN) for (let i = a + 1; i < b; i++) acc = min<f64>(acc, <f64>load<f32>(base + (i << 2)));
      else for (let i = a + 1; i < b; i++) acc = max<f64>(acc, <f64>load<f32>(base + (i << 2)));
    }
    store<f64>(data + PR_RESULT, acc);
    return;
  }
  let acc: i64 = kind == PK_I32 ? <i64>load<i32>(base + (a << 2)) : <i64>load<u32>(base + (a << 2));
  if (kind == PK_I32) {
    if (op == PO_SUM) for (let i = a + 1; i < b; i++) acc += <i64>load<i32>(base + (i << 2));
    else if (op == PO_MIN) for (let i = a + 1; i < b; i++) acc = min<i64>(acc, <i64>load<i32>(base + (i << 2)));
    else for (let i = a + 1; i < b; i++) acc = max<i64>(acc, <i64>load<i32>(base + (i << 2)));
  } else {
    if (op == PO_SUM) for (let i = a + 1; i < b; i++) acc += <i64>load<u32>(base + (i << 2));
    else if (op == PO_MIN) for (let i = a + 1; i < b; i++) acc = min<i64>(acc, <i64>load<u32>(base + (i << 2)));
    else for (let i = a + 1; i < b; i++) acc = max<i64>(acc, <i64>load<u32>(base + (i << 2)));
  }
  store<i64>(data + PR_RESULT, acc);
}

/** PO_WORKERS's leaf result: this worker's bit (`s`, the work's sum, keeps the loop alive). */
function parWorkersCold(data: usize, s: i64): void {
  const bit: i64 = schedCurrentRegistry() != 0 ? <i64>1 << <i64>(schedCurrentWorker() & 63) : 0;
  store<i64>(data + PR_RESULT, s == -1 ? 0 : bit); // s is never -1 (sums of ranges in a test): no folding away
}

/** Per-thread (a wasm global per instance): what the last parReduce on this thread found. */
let PAR_HAS: u32 = 0;
let PAR_EXACT: u32 = 1;
let PAR_BITS: i64 = 0;

/**
 * Folds [start, end) of source `kind` at `base` with `op` on this thread's pool (it must be a
 * pool worker for the work to spread; elsewhere it runs sequentially). Returns the result as an
 * f64; parHas() says whether there was one (min / max of an empty source: none), parExact()
 * whether an integer result fit an f64 exactly (|r| <= 2^53). 0 with parHas() == 2: out of memory.
 */
export function parReduce(kind: u32, op: u32, base: usize, start: i64, end: i64, minLen: u32): f64 {
  const reg = schedCurrentRegistry();
  let data = schedStackAlloc(PR_SIZE);
  const onStack = data != 0;
  if (!onStack) { data = malloc(PR_SIZE); if (data == 0) { PAR_HAS = 2; return 0; } }
  // Plain: our own block (the kernel publishes copies of it, never the block itself).
  store<u32>(data + PR_KIND, kind);
  store<u32>(data + PR_OP, op);
  store<u32>(data + PR_BASE, <u32>base);
  store<u32>(data + PR_SPLITS, reg != 0 ? regN(reg) : 0);
  store<i64>(data + PR_START, start);
  store<i64>(data + PR_END, end);
  store<u32>(data + PR_MINLEN, max<u32>(minLen, 1));
  store<u32>(data + PR_OWNER, reg != 0 ? schedCurrentWorker() : 0);
  parKernel(data);
  PAR_HAS = load<u32>(data + PR_HAS);
  let r: f64;
  if (isFloat(kind, op)) { r = load<f64>(data + PR_RESULT); PAR_EXACT = 1; }
  else {
    const v = load<i64>(data + PR_RESULT);
    r = <f64>v;
    PAR_BITS = v;
    PAR_EXACT = v <= 9007199254740992 && v >= -9007199254740992 ? 1 : 0;
  }
  if (onStack) schedStackRelease(data); else free(data);
  return r;
}
export function parHas(): u32 { return PAR_HAS; }
export function parExact(): u32 { return PAR_EXACT; }
/** The last integer result's exact bits (when parExact() is 0): high and low words. */
export function parBitsHi(): u32 { return <u32>(PAR_BITS >>> 32); }
export function parBitsLo(): u32 { return <u32>PAR_BITS; }
