// Condvar for kernels: a view over a weft Condvar (assembly/sync/condvar.ts) at its address.
import { objNew, objCheck } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import { condvarWait as waitUntil, condvarNotify as notify, CONDVAR_SIZE } from "../sync/condvar";
import { TAG_CONDVAR, INVALID_ARGUMENT } from "../layout";
import { Mutex } from "./mutex";
import { retainObject, dropObject } from "./common";

/**
 * A weft Condvar seen from a kernel (the `ptr` of a JS `weft.Condvar`), used with a weft Mutex
 * this thread holds. Kernel waiters are woken by JS `notifyOne()` and the other way round.
 *
 *   m.lock();
 *   while (load<i32>(countPtr) == 0) cv.wait(m);   // wake-ups can be spurious: loop
 *   …; m.unlock();
 *
 * wait/waitFor release the mutex, sleep until notified (or the timeout), and take the mutex back
 * before returning: SUCCESS, TIMEOUT (waitFor; the mutex is held again), POISONED (held again,
 * but poisoned; wins over TIMEOUT), NOT_LOCKED / NOT_OWNER (the mutex was not this thread's:
 * nothing happened) or INVALID_ARGUMENT (negative or NaN timeout). notifyOne/notifyAll return
 * how many sleeping waiters they woke (notifyOne also wakes the JS waitAsync waiters queued
 * before a sleeping thread, so it may report more than one: assembly/sync/condvar.ts).
 */
// @ts-ignore: decorator
@unmanaged export class Condvar {
  /** The Condvar at `ptr` (no check: use `Condvar.check` on pointers from untrusted input). */
  static at(ptr: usize): Condvar { return changetype<Condvar>(ptr); }

  /** SUCCESS if `ptr` is a live Condvar of generation `gen`, else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_CONDVAR, gen); }

  /** A new Condvar (one reference), or null when out of memory. */
  static create(): Condvar | null { return changetype<Condvar | null>(objNew(TAG_CONDVAR, CONDVAR_SIZE, 0)); }

  get ptr(): usize { return changetype<usize>(this); }

  wait(m: Mutex): i32 { return waitUntil(this.ptr, m.ptr, Infinity); }

  waitFor(m: Mutex, ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return waitUntil(this.ptr, m.ptr, deadlineAfter(ms));
  }

  notifyOne(): i32 { return notify(this.ptr, 1); }

  notifyAll(): i32 { return notify(this.ptr, -1); }

  /** +1 reference (Arc::clone): SUCCESS, or INVALID_HANDLE if the Condvar already died. */
  retain(): i32 { return retainObject(this.ptr); }

  /** -1 reference; the last frees it. Returns the references left. */
  drop(): i32 { return dropObject(this.ptr); }
}

// Function forms, for code that keeps raw pointers (`m` is a Mutex's address).
export function condvarWait(cv: usize, m: usize): i32 { return waitUntil(cv, m, Infinity); }
export function condvarWaitFor(cv: usize, m: usize, ms: f64): i32 { return Condvar.at(cv).waitFor(Mutex.at(m), ms); }
export function condvarNotifyOne(cv: usize): i32 { return notify(cv, 1); }
export function condvarNotifyAll(cv: usize): i32 { return notify(cv, -1); }
