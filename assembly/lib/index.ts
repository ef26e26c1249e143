// weft's AssemblyScript library for kernel authors: the engine's allocator, Mutex, atomics and
// futex waits, for a user module compiled separately from the engine.
//
//   import { Mutex, malloc, SUCCESS } from "weft/assembly/lib";
//
// (asc resolves packages by directory and ignores package.json "exports": "weft/assembly/lib"
// is this file; "weft/assembly" would be the engine's own ABI, assembly/index.ts.)
//
// How a kernel shares state with weft
// -----------------------------------
// A kernel is a second wasm module instantiated, in every thread that runs it, over the SAME
// shared memory as the engine (import `env.memory`). It compiles its own copy of this library's
// code, but every piece of shared state lives in that memory at fixed addresses: the engine
// header in [0, 64 KiB) (heap top and base, size-class free lists, agent records; see
// assembly/layout.ts) and the heap above it. So a block malloc'ed by the kernel can be freed by
// the engine and a Mutex made by `new weft.Mutex(0)` in JS can be locked here: the pointer is all
// either side needs. Nothing of weft's lives in the kernel's own statics:
//
//   - Compile with the engine's flags, so the layout and the memory import agree:
//       --runtime stub --enable threads --importMemory --sharedMemory --zeroFilledMemory
//       --initialMemory 17 --maximumMemory 16384 --memoryBase 65536 -O3 --noAssert
//       --bindings raw --use abort=~lib/weft/assembly/engine/abort/weftAbort
//     `--use abort=…` replaces AssemblyScript's abort import (env.abort) with a trap; from a
//     checkout rather than the package, name the file by its path: abort=assembly/engine/abort/
//     weftAbort. `--noAssert` matters too: an assert() keeps its file name as a data segment even
//     then. Pass `--config` explicitly (an empty one will do): asc merges ./asconfig.json into
//     every command-line build otherwise. Check the result as tests/aslib.test.ts does: imports
//     env.memory (shared, with a maximum) and weft.now only, no data section, no start section.
//   - No `new`, strings, arrays or other managed objects, no static data, no top-level code that
//     runs at start: data segments and start functions run again in every instance and would
//     clobber shared memory (DESIGN.md fact 2). A kernel's own statics (memoryBase 65536) would
//     overlap the engine's heap: keep them empty, allocate with `malloc` instead.
//   - The heap is initialised once by the engine (`engine_init`, which writes HEAP_BASE and
//     HEAP_TOP into the header); a kernel never initialises anything. Instantiate the engine
//     first, then the kernel.
//   - Wasm globals are per instance: the only per-thread state is the agent number (who owns a
//     lock) and whether the thread may block. The engine instance of a thread knows them, the
//     kernel instance does not: the host must call the kernel's `agent_attach(agent, canBlock)`
//     in every kernel instance, with the agent of the thread it runs on. Re-export it from your
//     entry file so the host can call it:
//         export { agent_attach } from "weft/assembly/lib";
//
// Every function here may be called from any thread. Results are the engine's codes (SUCCESS,
// POISONED, TIMEOUT, …, re-exported below); pointers are u32 addresses in the shared memory.
import "../engine/abort"; // weftAbort, the target of `--use abort=…`
import { attach, AGENT, CAN_BLOCK } from "../engine/local";
import { objNew, objCheck, objRelease, objFree } from "../engine/object";
import { futexWait, futexWake, deadlineAfter } from "../sync/futex";
import {
  mutexLock as lockUntil, mutexTryLock as tryLockOnce, mutexUnlock as unlockHeld, M_POISON, M_VALUE, MUTEX_SIZE,
} from "../sync/mutex";
import { load32, store32 } from "../sync/atomic";
import { TAG_MUTEX, KIND_NUMBER, INVALID_ARGUMENT, O_AUX } from "../layout";

export { malloc, free, realloc, isLive, usableSize } from "../heap/index";
export {
  load32, store32, cas32, xchg32, add32, sub32, and32, or32, xor32,
  load64, store64, cas64, xchg64, add64,
} from "../sync/atomic";
export {
  SUCCESS, WOULD_BLOCK, TIMEOUT, POISONED, NOT_OWNER, INVALID_HANDLE, OUT_OF_MEMORY, DOUBLE_FREE,
  INVALID_POINTER, WOULD_DEADLOCK, NOT_LOCKED, INVALID_ARGUMENT,
  KIND_NONE, KIND_NUMBER, KIND_BIGINT, KIND_BOOL, KIND_HANDLE, KIND_ANY,
} from "../layout";
export { WOKEN, NOT_EQUAL, TIMED_OUT } from "../sync/futex";
export { now } from "../engine/clock";

// ---- this thread ----------------------------------------------------------------------------

/** Binds this kernel instance to the thread's agent. Export it from the kernel's entry file. */
export function agent_attach(agent: u32, canBlock: i32): void { attach(agent, canBlock != 0); }

/** The agent (engine thread slot) this instance is attached to; 0 before agent_attach. */
export function thisAgent(): u32 { return AGENT; }

/** Whether this thread may block (false on a browser main thread: waits spin instead). */
export function canBlock(): bool { return CAN_BLOCK; }

// ---- futex wait / wake ----------------------------------------------------------------------

/**
 * Sleeps while `*ptr == expected`, at most `timeoutMs` (Infinity: no limit): WOKEN, NOT_EQUAL
 * or TIMED_OUT; spurious wake-ups happen, so re-check the condition in a loop. Pairs with `wake`
 * (and with JS `Atomics.notify` on the same word). Negative or NaN timeouts count as 0.
 */
export function wait(ptr: usize, expected: i32, timeoutMs: f64 = Infinity): i32 {
  return futexWait(ptr, expected, deadlineAfter(timeoutMs >= 0 ? timeoutMs : 0));
}

/** Wakes up to `count` threads waiting on `ptr` (-1: all); returns how many woke. */
export function wake(ptr: usize, count: i32 = 1): i32 { return futexWake(ptr, count); }

// ---- Mutex ----------------------------------------------------------------------------------

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

  /** A new unlocked Mutex holding the number 0 (one reference), or null when out of memory. */
  static create(): Mutex | null { return changetype<Mutex | null>(objNew(TAG_MUTEX, MUTEX_SIZE, KIND_NUMBER)); }

  get ptr(): usize { return changetype<usize>(this); }

  lock(): i32 { return lockUntil(this.ptr, Infinity); }

  lockFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return lockUntil(this.ptr, deadlineAfter(ms));
  }

  tryLock(): i32 { return tryLockOnce(this.ptr); }

  unlock(): i32 { return unlockHeld(this.ptr); }

  isPoisoned(): bool { return load32(this.ptr + M_POISON) != 0; }

  clearPoison(): void { store32(this.ptr + M_POISON, 0); }

  /** The value kind (KIND_* : KIND_NUMBER for `new weft.Mutex(0)`). */
  get kind(): u32 { return <u32>load32(this.ptr + O_AUX); }

  /**
   * Address of the protected value (8 bytes; an f64 for KIND_NUMBER, an i64 for KIND_BIGINT, an
   * i32 0/1 for KIND_BOOL). Read and write it only while holding the lock.
   */
  get valuePtr(): usize { return this.ptr + M_VALUE; }

  /**
   * Gives back one reference (Arc drop); the last one frees the Mutex. Only for Mutexes that hold
   * plain values (number, bigint, boolean): handles and structured values are released by JS.
   * Returns the references left.
   */
  release(): i32 {
    const left = objRelease(this.ptr);
    if (left == 0) objFree(this.ptr);
    return left;
  }
}

// Function forms of the Mutex methods, for code that keeps raw pointers.
export function mutexLock(m: usize): i32 { return lockUntil(m, Infinity); }
export function mutexLockFor(m: usize, ms: f64): i32 { return Mutex.at(m).lockFor(ms); }
export function mutexTryLock(m: usize): i32 { return tryLockOnce(m); }
export function mutexUnlock(m: usize): i32 { return unlockHeld(m); }
export function mutexIsPoisoned(m: usize): bool { return Mutex.at(m).isPoisoned(); }
