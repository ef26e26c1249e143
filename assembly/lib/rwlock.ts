// RwLock for kernels: a view over a weft RwLock (assembly/sync/rwlock.ts) at its address.
import { objNew, objCheck } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import {
  rwlockRead as readUntil, rwlockTryRead as tryReadOnce, rwlockReadUnlock as readRelease,
  rwlockWrite as writeUntil, rwlockTryWrite as tryWriteOnce, rwlockWriteUnlock as writeRelease,
  RW_POISON, RW_VALUE, RWLOCK_SIZE,
} from "../sync/rwlock";
import { load32, store32 } from "../sync/atomic";
import { TAG_RWLOCK, KIND_NUMBER, INVALID_ARGUMENT, O_AUX } from "../layout";
import { isPlainKind, retainObject, dropObject } from "./common";

/**
 * A weft RwLock seen from a kernel (the `ptr` of a JS `weft.RwLock`): many readers or one writer,
 * writers preferred (a reader does not enter while a writer waits). The write side has an owner
 * and poison like Mutex and is in the agent's held list, so a panicking thread's write lock is
 * poisoned and released by the engine; read locks are anonymous and never poison.
 *
 *   const l = RwLock.at(ptr);
 *   if (l.write() == SUCCESS) { store<f64>(l.valuePtr, load<f64>(l.valuePtr) + 1); l.writeUnlock(); }
 *
 * read/readFor/tryRead and write/writeFor/tryWrite return SUCCESS, POISONED (held anyway),
 * WOULD_BLOCK (try forms), TIMEOUT (For forms), WOULD_DEADLOCK (this agent holds the write lock)
 * or INVALID_ARGUMENT (negative or NaN timeout). readUnlock returns SUCCESS, NOT_LOCKED (no reader
 * holds it) or NOT_OWNER (a writer does); writeUnlock SUCCESS, NOT_LOCKED or NOT_OWNER.
 * A reader taking the read lock again while a writer queues waits behind that writer: deadlock
 * (not detected, as in Rust).
 */
// @ts-ignore: decorator
@unmanaged export class RwLock {
  /** The RwLock at `ptr` (no check: use `RwLock.check` on pointers from untrusted input). */
  static at(ptr: usize): RwLock { return changetype<RwLock>(ptr); }

  /** SUCCESS if `ptr` is a live RwLock of generation `gen`, else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_RWLOCK, gen); }

  /**
   * A new unlocked RwLock holding a zero of `kind` (KIND_NUMBER, KIND_BIGINT or KIND_BOOL): the
   * object the engine's rwlock_new makes, one reference; null when out of memory or another kind.
   */
  static create(kind: u32 = KIND_NUMBER): RwLock | null {
    if (!isPlainKind(kind)) return null;
    return changetype<RwLock | null>(objNew(TAG_RWLOCK, RWLOCK_SIZE, kind));
  }

  get ptr(): usize { return changetype<usize>(this); }

  read(): i32 { return readUntil(this.ptr, Infinity); }

  readFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return readUntil(this.ptr, deadlineAfter(ms));
  }

  tryRead(): i32 { return tryReadOnce(this.ptr); }

  readUnlock(): i32 { return readRelease(this.ptr); }

  write(): i32 { return writeUntil(this.ptr, Infinity); }

  writeFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return writeUntil(this.ptr, deadlineAfter(ms));
  }

  /** Takes a free lock even if others queue (as in Rust). */
  tryWrite(): i32 { return tryWriteOnce(this.ptr); }

  writeUnlock(): i32 { return writeRelease(this.ptr); }

  /** Whether a holder of the (write) lock panicked: a snapshot, as in Rust. */
  isPoisoned(): bool { return load32(this.ptr + RW_POISON) != 0; }

  /** Rust's clear_poison. A lone flag word: a racing reader sees it set or clear, both valid. */
  clearPoison(): void { store32(this.ptr + RW_POISON, 0); }

  /** The value kind (KIND_*: KIND_NUMBER for `new weft.RwLock(0)`). */
  get kind(): u32 { return <u32>load32(this.ptr + O_AUX); }

  /**
   * Address of the protected value (8 bytes, as Mutex.valuePtr). Read it while holding either
   * lock, write it only while holding the write lock.
   */
  get valuePtr(): usize { return this.ptr + RW_VALUE; }

  /** +1 reference (Arc::clone): SUCCESS, or INVALID_HANDLE if the RwLock already died. */
  retain(): i32 { return retainObject(this.ptr); }

  /** -1 reference; the last frees it (plain values only, as Mutex.drop). Returns the references left. */
  drop(): i32 { return dropObject(this.ptr); }
}

// Function forms, for code that keeps raw pointers.
export function rwlockRead(l: usize): i32 { return readUntil(l, Infinity); }
export function rwlockReadFor(l: usize, ms: f64): i32 { return RwLock.at(l).readFor(ms); }
export function rwlockTryRead(l: usize): i32 { return tryReadOnce(l); }
export function rwlockReadUnlock(l: usize): i32 { return readRelease(l); }
export function rwlockWrite(l: usize): i32 { return writeUntil(l, Infinity); }
export function rwlockWriteFor(l: usize, ms: f64): i32 { return RwLock.at(l).writeFor(ms); }
export function rwlockTryWrite(l: usize): i32 { return tryWriteOnce(l); }
export function rwlockWriteUnlock(l: usize): i32 { return writeRelease(l); }
export function rwlockIsPoisoned(l: usize): bool { return RwLock.at(l).isPoisoned(); }
