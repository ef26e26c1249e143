// Built-in kernels of the pool (module 0 of job.ts: the engine's own code). A wasm job of
// module 0 names one of these by its id in the job reference's index field; `runKernel` calls it
// directly (a switch, not call_indirect: taking an AS function reference would put a Function
// object in a data segment, which the engine must not have — DESIGN.md).
//
// K_FIB: `fib(n)` with a join at every call (the join overhead benchmark of issue 4). Its data
// is one i64: n on entry, fib(n) on return. The two halves' data blocks live on the worker's job
// stack (worker.ts schedStackAlloc), so a join allocates nothing from the heap.
import { schedJoinAt, schedStackAlloc, schedStackRelease, SJ_SIZE } from "./worker";

export const K_FIB: u32 = 1;
/** Test kernel: fib with joins that traps at every n == 3 (a trap inside joins, on any worker). */
export const K_TRAP_FIB: u32 = 2;

/** Runs built-in kernel `k` on `data`; an unknown id traps (a bug of the caller). */
export function runKernel(k: u32, data: usize): void {
  if (k == K_FIB) { fibKernel(data); return; }
  if (k == K_TRAP_FIB) { store<i64>(data, trapFibJoin(load<i64>(data))); return; }
  unreachable();
}

/** data: i64 n in, i64 fib(n) out. */
function fibKernel(data: usize): void {
  // Plain accesses: the block belongs to the join that made it until this job's latch is set.
  store<i64>(data, fibJoin(load<i64>(data)));
}

/** fib(n) with a join per call (in a pool worker), or in sequence when the job stack is full. */
export function fibJoin(n: i64): i64 {
  if (n < 2) return n;
  // One block of the job stack: b's record, then the two halves' data.
  const rec = schedStackAlloc(SJ_SIZE + 16);
  if (rec == 0) return fibSeq(n - 1) + fibSeq(n - 2);
  const p = rec + SJ_SIZE;
  store<i64>(p, n - 1);     // plain: our own stack block until the join publishes it
  store<i64>(p + 8, n - 2);
  schedJoinAt(rec, K_FIB, p, K_FIB, p + 8);
  const r = load<i64>(p) + load<i64>(p + 8); // both halves are done: their writes are visible
  schedStackRelease(rec);
  return r;
}

/** The sequential baseline. */
export function fibSeq(n: i64): i64 {
  return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2);
}

/** K_TRAP_FIB's body: fibJoin, but n == 3 traps. */
export function trapFibJoin(n: i64): i64 {
  if (n == 3) unreachable();
  if (n < 2) return n;
  const rec = schedStackAlloc(SJ_SIZE + 16);
  if (rec == 0) unreachable();
  const p = rec + SJ_SIZE;
  store<i64>(p, n - 1);
  store<i64>(p + 8, n - 2);
  schedJoinAt(rec, K_TRAP_FIB, p, K_TRAP_FIB, p + 8);
  const r = load<i64>(p) + load<i64>(p + 8);
  schedStackRelease(rec);
  return r;
}
