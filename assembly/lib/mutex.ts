// Mutex for kernels: a view over a weft Mutex (assembly/sync/mutex.ts) at its address.
import { objNew, objCheck } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import {
  mutexLock as lockUntil, mutexTryLock as tryLockOnce, mutexUnlock as unlockHeld, M_POISON, M_VALUE, MUTEX_SIZE,
} from "../sync/mutex";
import { load32, store32 } from "../sync/atomic";
import { TAG_MUTEX, KIND_NUMBER, INVALID_ARGUMENT, O_AUX } from "../layout";
import { isPlainKind, retainObject, dropObject } from "./common";

/**
 * A weft Mutex seen from a kernel: a view over the shared object at its address (the `ptr` of a
 * JS `weft.Mutex`, passed in as a number). Same lock as the JS side: owner, poison and the
 * held-lock list are shared, so a kernel holding it blocks JS lockers and vice versa.
 *
 *   const m = Mutex.at(ptr);
 *   if (m.lock() == SUCCESS) { …; m.unlock(); }
 *
 * lock/lockFor/tryLock return SUCCESS, POISONED (acquired anyway: a holder panicked; unlock it
 * when done), WOULD_BLOCK (tryLock), TIMEOUT (lockFor), WOULD_DEADLOCK (this agent holds it) or
 * INVALID_ARGUMENT (negative or NaN timeout). unlock returns SUCCESS, NOT_OWNER or NOT_LOCKED.
 */
// @ts-ignore: decorator
@unmanaged export class Mutex {
  /** The Mutex at `ptr` (no check: use `Mutex.check` on pointers from untrusted input). */
  static at(ptr: usize): Mutex { return changetype<Mutex>(ptr); }

  /** SUCCESS if `ptr` is a live Mutex of generation `gen` (a handle's `gen`), else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_MUTEX, gen); }

  /**
   * A new unlocked Mutex holding a zero of `kind` (KIND_NUMBER, KIND_BIGINT or KIND_BOOL), with
   * one reference; null when out of memory or for another kind.
   */
  static create(kind: u32 = KIND_NUMBER): Mutex | null {
    if (!isPlainKind(kind)) return null;
    return changetype<Mutex | null>(objNew(TAG_MUTEX, MUTEX_SIZE, kind));
  }

  get ptr(): usize { return changetype<usize>(this); }

  lock(): i32 { return lockUntil(this.ptr, Infinity); }

  lockFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return lockUntil(this.ptr, deadlineAfter(ms));
  }

  tryLock(): i32 { return tryLockOnce(this.ptr); }

  unlock(): i32 { return unlockHeld(this.ptr); }

  /** Whether a holder of the (write) lock panicked: a snapshot, as in Rust. */
  isPoisoned(): bool { return load32(this.ptr + M_POISON) != 0; }

  /** Rust's clear_poison. A lone flag word: a racing reader sees it set or clear, both valid. */
  clearPoison(): void { store32(this.ptr + M_POISON, 0); }

  /** The value kind (KIND_* : KIND_NUMBER for `new weft.Mutex(0)`). */
  get kind(): u32 { return <u32>load32(this.ptr + O_AUX); }

  /**
   * Address of the protected value (8 bytes; an f64 for KIND_NUMBER, an i64 for KIND_BIGINT, an
   * i32 0/1 for KIND_BOOL). Read and write it only while holding the lock.
   */
  get valuePtr(): usize { return this.ptr + M_VALUE; }

  /** +1 reference (Arc::clone): SUCCESS, or INVALID_HANDLE if the Mutex already died. */
  retain(): i32 { return retainObject(this.ptr); }

  /**
   * Gives back one reference (Arc drop); the last one frees the Mutex. Only for Mutexes that hold
   * plain values (number, bigint, boolean): handles and structured values are released by JS.
   * Returns the references left.
   */
  drop(): i32 { return dropObject(this.ptr); }

  /** Same as drop() (its earlier name). */
  release(): i32 { return dropObject(this.ptr); }
}

// Function forms of the Mutex methods, for code that keeps raw pointers.
export function mutexLock(m: usize): i32 { return lockUntil(m, Infinity); }
export function mutexLockFor(m: usize, ms: f64): i32 { return Mutex.at(m).lockFor(ms); }
export function mutexTryLock(m: usize): i32 { return tryLockOnce(m); }
export function mutexUnlock(m: usize): i32 { return unlockHeld(m); }
export function mutexIsPoisoned(m: usize): bool { return Mutex.at(m).isPoisoned(); }
