// Semaphore for kernels: a view over a weft Semaphore (assembly/sync/semaphore.ts) at its address.
import { objNew, objCheck } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import {
  semAcquire as acquireUntil, semTryAcquire as tryAcquireOnce, semRelease as addPermits, S_PERMITS, SEMAPHORE_SIZE,
} from "../sync/semaphore";
import { load32, store32 } from "../sync/atomic";
import { TAG_SEMAPHORE, INVALID_ARGUMENT } from "../layout";
import { retainObject, dropObject } from "./common";

/**
 * A weft Semaphore seen from a kernel (the `ptr` of a JS `weft.Semaphore`): permits shared with
 * JS acquirers; a permit taken in a kernel may be given back from JS and the other way round.
 *
 *   const s = Semaphore.at(ptr);
 *   s.acquire(); …; s.release();
 *
 * acquire/acquireFor/tryAcquire return SUCCESS (a permit taken), WOULD_BLOCK (tryAcquire),
 * TIMEOUT (acquireFor) or INVALID_ARGUMENT (negative or NaN timeout). release(n) adds n >= 1
 * permits and wakes as many sleepers: SUCCESS, or INVALID_ARGUMENT (n < 1, or the count would
 * pass SEMAPHORE_MAX: nothing changes).
 */
// @ts-ignore: decorator
@unmanaged export class Semaphore {
  /** The Semaphore at `ptr` (no check: use `Semaphore.check` on pointers from untrusted input). */
  static at(ptr: usize): Semaphore { return changetype<Semaphore>(ptr); }

  /** SUCCESS if `ptr` is a live Semaphore of generation `gen`, else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_SEMAPHORE, gen); }

  /** A new Semaphore holding `permits` >= 0 (one reference); null when out of memory or permits < 0. */
  static create(permits: i32): Semaphore | null {
    if (permits < 0) return null;
    const s = objNew(TAG_SEMAPHORE, SEMAPHORE_SIZE, 0);
    // Not yet shared: no other thread can reach s before this thread publishes its address.
    if (s != 0) store32(s + S_PERMITS, permits);
    return changetype<Semaphore | null>(s);
  }

  get ptr(): usize { return changetype<usize>(this); }

  acquire(): i32 { return acquireUntil(this.ptr, Infinity); }

  acquireFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return acquireUntil(this.ptr, deadlineAfter(ms));
  }

  tryAcquire(): i32 { return tryAcquireOnce(this.ptr); }

  release(n: i32 = 1): i32 { return addPermits(this.ptr, n); }

  /** Permits available now (a snapshot). */
  get permits(): i32 { return load32(this.ptr + S_PERMITS); }

  /** +1 reference (Arc::clone): SUCCESS, or INVALID_HANDLE if the Semaphore already died. */
  retain(): i32 { return retainObject(this.ptr); }

  /** -1 reference; the last frees it. Returns the references left. */
  drop(): i32 { return dropObject(this.ptr); }
}

// Function forms, for code that keeps raw pointers.
export function semaphoreAcquire(s: usize): i32 { return acquireUntil(s, Infinity); }
export function semaphoreAcquireFor(s: usize, ms: f64): i32 { return Semaphore.at(s).acquireFor(ms); }
export function semaphoreTryAcquire(s: usize): i32 { return tryAcquireOnce(s); }
export function semaphoreRelease(s: usize, n: i32 = 1): i32 { return addPermits(s, n); }
