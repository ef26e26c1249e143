// ABI exports for semaphore: see assembly/sync/semaphore.ts.
import { objNew } from "../engine/object";
import { store32, load32 } from "../sync/atomic";
import { deadlineAfter } from "../sync/futex";
import {
  semAcquire, semTryAcquire, semAcquireStep, semWaitDone, semRelease, S_PERMITS, SEMAPHORE_SIZE,
} from "../sync/semaphore";
import { TAG_SEMAPHORE } from "../layout";

export { S_PERMITS, S_WAITERS, SEMAPHORE_SIZE, SEMAPHORE_MAX, SEM_ASYNC_WAITER } from "../sync/semaphore";

/** A semaphore with `permits` in [0, SEMAPHORE_MAX] (the host validates), or 0 when out of memory. */
export function semaphore_new(permits: i32): usize {
  const s = objNew(TAG_SEMAPHORE, SEMAPHORE_SIZE, 0);
  // Not yet shared: no other thread can reach s before the host publishes it.
  if (s != 0) store32(s + S_PERMITS, permits);
  return s;
}
export function semaphore_acquire(s: usize, timeoutMs: f64): i32 { return semAcquire(s, deadlineAfter(timeoutMs)); }
export function semaphore_try_acquire(s: usize): i32 { return semTryAcquire(s); }
export function semaphore_acquire_step(s: usize): i32 { return semAcquireStep(s); }
export function semaphore_wait_done(s: usize): void { semWaitDone(s); }
export function semaphore_release(s: usize, n: i32): i32 { return semRelease(s, n); }
export function semaphore_permits(s: usize): i32 { return load32(s + S_PERMITS); }
