// Barrier for kernels: a view over a weft Barrier (assembly/sync/barrier.ts) at its address.
import { objNew, objCheck } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import { barrierWait as waitUntil, B_N, BARRIER_SIZE } from "../sync/barrier";
import { load32, store32 } from "../sync/atomic";
import { TAG_BARRIER, INVALID_ARGUMENT } from "../layout";
import { retainObject, dropObject } from "./common";

/**
 * A weft Barrier seen from a kernel (the `ptr` of a JS `weft.Barrier`): kernels and JS threads
 * arrive at the same generations. Reusable: once `parties` threads have arrived all return, and
 * the next generation starts.
 *
 *   if (Barrier.at(ptr).wait() == BARRIER_LEADER) { … once per generation … }
 *
 * wait/waitFor return BARRIER_LEADER for exactly one thread per generation (the one whose
 * arrival completed it), SUCCESS for the others, TIMEOUT (waitFor: the arrival is withdrawn,
 * unless the generation completed at that instant, which returns the normal result) or
 * INVALID_ARGUMENT (negative or NaN timeout).
 */
// @ts-ignore: decorator
@unmanaged export class Barrier {
  /** The Barrier at `ptr` (no check: use `Barrier.check` on pointers from untrusted input). */
  static at(ptr: usize): Barrier { return changetype<Barrier>(ptr); }

  /** SUCCESS if `ptr` is a live Barrier of generation `gen`, else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_BARRIER, gen); }

  /** A new Barrier for `n` >= 1 parties (one reference); null when out of memory or n < 1. */
  static create(n: i32): Barrier | null {
    if (n < 1) return null;
    const b = objNew(TAG_BARRIER, BARRIER_SIZE, 0);
    // Not yet shared: no other thread can reach b before this thread publishes its address.
    if (b != 0) store32(b + B_N, n);
    return changetype<Barrier | null>(b);
  }

  get ptr(): usize { return changetype<usize>(this); }

  wait(): i32 { return waitUntil(this.ptr, Infinity); }

  waitFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return waitUntil(this.ptr, deadlineAfter(ms));
  }

  /** The number of threads each generation waits for (fixed at creation). */
  get parties(): i32 { return load32(this.ptr + B_N); }

  /** +1 reference (Arc::clone): SUCCESS, or INVALID_HANDLE if the Barrier already died. */
  retain(): i32 { return retainObject(this.ptr); }

  /** -1 reference; the last frees it. Returns the references left. */
  drop(): i32 { return dropObject(this.ptr); }
}

// Function forms, for code that keeps raw pointers.
export function barrierWait(b: usize): i32 { return waitUntil(b, Infinity); }
export function barrierWaitFor(b: usize, ms: f64): i32 { return Barrier.at(b).waitFor(ms); }
