// Built-in kernels of the pool (module 0 of job.ts: the engine's own code). A wasm job of
// module 0 names one of these by its id in the job reference's index field; `runKernel` calls it
// directly (a switch, not call_indirect: taking an AS function reference would put a Function
// object in a data segment, which the engine must not have — DESIGN.md).
//
// K_FIB: `fib(n)` with a join at every call (the join overhead benchmark of issue 4). Its data
// is one i64: n on entry, fib(n) on return. The two halves' data blocks live on the worker's job
// stack (worker.ts schedStackAlloc), so a join allocates nothing from the heap.
import { schedJoinAt, schedStackAlloc, schedStackRelease, SJ_SIZE } from "./worker";
import { add32, store32 } from "../sync/atomic";
import { parKernel, K_PAR } from "./par";

export const K_FIB: u32 = 1;
/** Test kernel: fib with joins that traps at every n == 3 (a trap inside joins, on any worker). */
export const K_TRAP_FIB: u32 = 2;

/**
 * Test kernel: fib with joins whose first `limit` calls with n == 3 (counted on a shared counter)
 * pass and every later one traps: the traps come while both workers are deep in the computation,
 * their deques full of stealable jobs that trap too (the nested-trap regression test).
 * data: i64 n in / fib(n) out, u32 counter address, u32 limit (TA_* below).
 */
export const K_TRAP_FIB_AFTER: u32 = 3;

/** Runs built-in kernel `k` on `data`; an unknown id traps (a bug of the caller). */
export function runKernel(k: u32, data: usize): void {
  if (k == K_FIB) { fibKernel(data); return; }
  if (k == K_TRAP_FIB) { store<i64>(data, trapFibJoin(load<i64>(data))); return; }
  if (k == K_TRAP_FIB_AFTER) {
    // Plain accesses: the block belongs to the join that made it until this job's latch is set.
    store<i64>(data, trapAfterFibJoin(load<i64>(data), <usize>load<u32>(data + TA_COUNTER), load<u32>(data + TA_LIMIT)));
    return;
  }
  if (k == K_PAR) { parKernel(data); return; }
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

//   K_TRAP_FIB_AFTER data block (TA_SIZE bytes):
//   0       8         12      16
//   +-------+---------+-------+
//   | N     | COUNTER | LIMIT |
//   +-------+---------+-------+
export const TA_N: usize = 0;
export const TA_COUNTER: usize = 8;
export const TA_LIMIT: usize = 12;
export const TA_SIZE: usize = 16;

/** K_TRAP_FIB_AFTER's body: fibJoin, but n == 3 traps once `*counter` has counted `limit` of them. */
export function trapAfterFibJoin(n: i64, counter: usize, limit: u32): i64 {
  if (n < 2) return n;
  if (n == 3 && <u32>add32(counter, 1) >= limit) unreachable();
  const rec = schedStackAlloc(SJ_SIZE + 2 * TA_SIZE);
  if (rec == 0) unreachable();
  const p = rec + SJ_SIZE, q = p + TA_SIZE;
  // Plain stores: our own stack block until the join publishes it.
  store<i64>(p + TA_N, n - 1); store<u32>(p + TA_COUNTER, <u32>counter); store<u32>(p + TA_LIMIT, limit);
  store<i64>(q + TA_N, n - 2); store<u32>(q + TA_COUNTER, <u32>counter); store<u32>(q + TA_LIMIT, limit);
  schedJoinAt(rec, K_TRAP_FIB_AFTER, p, K_TRAP_FIB_AFTER, q);
  const r = load<i64>(p + TA_N) + load<i64>(q + TA_N);
  schedStackRelease(rec);
  return r;
}

/**
 * trapAfterFibJoin(n) with a fresh counter on this worker's job stack (shared memory: the
 * thieves count on it too). Traps outside a pool worker. The counter is released with the stack:
 * on return, or by the trap recovery, which first waits for every thief of the joins above it —
 * and a failed stolen job's latch is set only after its own stolen joins are done (worker.ts
 * schedAbandonStep), so nothing counts on it any more, with any number of workers.
 */
export function trapAfterFib(n: i64, limit: u32): i64 {
  const counter = schedStackAlloc(8);
  if (counter == 0) unreachable();
  store32(counter, 0); // published to thieves by the SeqCst push of the first join
  const r = trapAfterFibJoin(n, counter, limit);
  schedStackRelease(counter);
  return r;
}
