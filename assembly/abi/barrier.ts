// ABI exports for barrier: see assembly/sync/barrier.ts.
import { objNew } from "../engine/object";
import { store32 } from "../sync/atomic";
import { deadlineAfter } from "../sync/futex";
import { barrierWait, barrierArrive, barrierWithdraw, B_N, BARRIER_SIZE } from "../sync/barrier";
import { TAG_BARRIER } from "../layout";

export { B_COUNT, B_GEN, B_N, BARRIER_SIZE, BARRIER_LEADER, ARRIVED_LEADER } from "../sync/barrier";

/** A barrier for `n` >= 1 parties (the host validates n), or 0 when out of memory. */
export function barrier_new(n: u32): usize {
  const b = objNew(TAG_BARRIER, BARRIER_SIZE, 0);
  // Not yet shared: no other thread can reach b before the host publishes it.
  if (b != 0) store32(b + B_N, <i32>n);
  return b;
}
/** BARRIER_LEADER, SUCCESS (follower) or TIMEOUT (arrival withdrawn). */
export function barrier_wait(b: usize, timeoutMs: f64): i32 { return barrierWait(b, deadlineAfter(timeoutMs)); }
/** ARRIVED_LEADER, or the generation to wait on (async form: Atomics.waitAsync on B_GEN). */
export function barrier_arrive(b: usize): i32 { return barrierArrive(b); }
/** After an async timeout: TIMEOUT (withdrawn) or SUCCESS (the generation completed). */
export function barrier_withdraw(b: usize, gen: i32): i32 { return barrierWithdraw(b, gen); }
