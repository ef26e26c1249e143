// Once and OnceLock for kernels: views over weft's one-time initialisation objects
// (assembly/sync/once.ts) at their addresses.
//
// AssemblyScript has no closures, and a function reference would put a data segment into the
// kernel (a static Function object; see the header of index.ts). So a Once is driven either by
// begin/finish, or by `call(init)` with `init` any class that has a `run(): bool` method, typically
// an @unmanaged view over the kernel's own data (generic, so the call is direct):
//
//   @unmanaged class Table { run(): bool { fill(changetype<usize>(this)); return true; } }
//   Once.at(oncePtr).call(changetype<Table>(tablePtr));
//
//   const o = Once.at(oncePtr);                     // the same with begin/finish
//   const r = o.begin();
//   if (r == ONCE_RUN) { const ok = fill(tablePtr); o.finish(ok); }
//
// A trap inside the initialiser cannot be caught in wasm, and the engine's panic cleanup releases
// locks, not Onces: the Once stays RUNNING, so other callers wait forever (or until their
// timeout) and later calls on the trapping thread's agent get WOULD_DEADLOCK. Report failure by
// returning false (finish(false): poisoned, as a JS initialiser that throws) instead.
import { objNew, objCheck } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import {
  onceBegin as beginUntil, onceFinish as finishRun, onceState, ON_OWNER, ON_VALUE, ONCE_SIZE, ONCE_LOCK_SIZE,
  TAG_ONCE_LOCK, ONCE_COMPLETE, ONCE_POISONED_STATE, ONCE_INCOMPLETE, ONCE_RUN,
} from "../sync/once";
import { load32, store32 } from "../sync/atomic";
import { AGENT } from "../engine/local";
import { TAG_ONCE, INVALID_ARGUMENT, KIND_NONE, ONCE_POISONED, SUCCESS, NOT_OWNER, O_AUX } from "../layout";
import { isPlainKind, retainObject, dropObject } from "./common";

/**
 * A weft Once seen from a kernel (the `ptr` of a JS `weft.Once`): kernels and JS callOnce race
 * for the same single run.
 *
 * begin() returns SUCCESS (some run completed: nothing to do), ONCE_RUN (this thread won the run:
 * initialise, then finish(ok) — other callers wait meanwhile), ONCE_POISONED (a run failed),
 * WOULD_DEADLOCK (this very thread is running it); beginFor(ms) adds TIMEOUT and
 * INVALID_ARGUMENT. beginForce() also runs over a poisoned Once: ONCE_RUN_POISONED.
 * finish(ok) ends the run, completed (ok) or poisoned: SUCCESS, or NOT_OWNER (no run of this
 * thread is in progress). wait()/waitFor(ms) wait for a completed run without running anything:
 * SUCCESS, ONCE_POISONED, WOULD_DEADLOCK, TIMEOUT, INVALID_ARGUMENT.
 */
// @ts-ignore: decorator
@unmanaged export class Once {
  /** The Once at `ptr` (no check: use `Once.check` on pointers from untrusted input). */
  static at(ptr: usize): Once { return changetype<Once>(ptr); }

  /** SUCCESS if `ptr` is a live Once of generation `gen`, else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_ONCE, gen); }

  /** A new Once (one reference), or null when out of memory. */
  static create(): Once | null { return changetype<Once | null>(objNew(TAG_ONCE, ONCE_SIZE, 0)); }

  get ptr(): usize { return changetype<usize>(this); }

  begin(): i32 { return beginUntil(this.ptr, false, true, Infinity); }

  beginFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return beginUntil(this.ptr, false, true, deadlineAfter(ms));
  }

  beginForce(): i32 { return beginUntil(this.ptr, true, true, Infinity); }

  finish(ok: bool): i32 { return finishRun(this.ptr, ok ? ONCE_COMPLETE : ONCE_POISONED_STATE); }

  /**
   * Runs `init.run()` if no run has completed yet (waiting while another thread runs one): the
   * Once completes if it returns true and is poisoned if it returns false. SUCCESS (completed, by
   * this call or another), ONCE_POISONED (this or an earlier run failed) or WOULD_DEADLOCK
   * (called from inside this thread's own run).
   */
  call<T>(init: T): i32 {
    const r = this.begin();
    if (r != ONCE_RUN) return r;
    // @ts-ignore: T is any class with `run(): bool` (checked where call is instantiated)
    const ok: bool = init.run();
    this.finish(ok); // ours: begin just made this thread the runner
    return ok ? SUCCESS : ONCE_POISONED;
  }

  wait(): i32 { return beginUntil(this.ptr, false, false, Infinity); }

  waitFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return beginUntil(this.ptr, false, false, deadlineAfter(ms));
  }

  /** Whether some run has completed (Rust's is_completed). */
  isCompleted(): bool { return onceState(this.ptr) == ONCE_COMPLETE; }

  /** +1 reference (Arc::clone): SUCCESS, or INVALID_HANDLE if the Once already died. */
  retain(): i32 { return retainObject(this.ptr); }

  /** -1 reference; the last frees it. Returns the references left. */
  drop(): i32 { return dropObject(this.ptr); }
}

// Function forms, for code that keeps raw pointers.
export function onceBegin(o: usize): i32 { return beginUntil(o, false, true, Infinity); }
export function onceBeginFor(o: usize, ms: f64): i32 { return Once.at(o).beginFor(ms); }
export function onceFinish(o: usize, ok: bool): i32 { return Once.at(o).finish(ok); }
export function onceWait(o: usize): i32 { return beginUntil(o, false, false, Infinity); }
export function onceIsCompleted(o: usize): bool { return Once.at(o).isCompleted(); }
export function callOnce<T>(o: usize, init: T): i32 { return Once.at(o).call<T>(init); }

/**
 * A weft OnceLock seen from a kernel (the `ptr` of a JS `weft.OnceLock`): a cell set once. A
 * kernel may set it to a plain value (number, bigint, boolean) and read whatever kind it holds.
 *
 *   const c = OnceLock.at(ptr);
 *   if (c.begin() == ONCE_RUN) { store<f64>(c.valuePtr, 42); c.finish(KIND_NUMBER); }
 *   // now c.isSet(), c.kind == KIND_NUMBER, load<f64>(c.valuePtr) == 42 in every thread
 *
 * begin()/beginFor(ms) return SUCCESS (the cell is set), ONCE_RUN (this thread initialises:
 * write the value at valuePtr, then finish(kind)), WOULD_DEADLOCK, TIMEOUT, INVALID_ARGUMENT.
 * finish(kind) publishes the value as `kind` (SUCCESS), or with KIND_NONE leaves the cell empty
 * for another caller (Rust: a failed initialiser); NOT_OWNER without a run of this thread,
 * INVALID_ARGUMENT for a non-plain kind (the run stays this thread's). wait()/waitFor(ms) wait
 * until the cell is set: SUCCESS, WOULD_DEADLOCK, TIMEOUT, INVALID_ARGUMENT.
 */
// @ts-ignore: decorator
@unmanaged export class OnceLock {
  /** The OnceLock at `ptr` (no check: use `OnceLock.check` on pointers from untrusted input). */
  static at(ptr: usize): OnceLock { return changetype<OnceLock>(ptr); }

  /** SUCCESS if `ptr` is a live OnceLock of generation `gen`, else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_ONCE_LOCK, gen); }

  /** A new empty OnceLock (one reference), or null when out of memory. */
  static create(): OnceLock | null {
    return changetype<OnceLock | null>(objNew(TAG_ONCE_LOCK, ONCE_LOCK_SIZE, KIND_NONE));
  }

  get ptr(): usize { return changetype<usize>(this); }

  begin(): i32 { return beginUntil(this.ptr, false, true, Infinity); }

  beginFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return beginUntil(this.ptr, false, true, deadlineAfter(ms));
  }

  finish(kind: u32): i32 {
    if (kind == KIND_NONE) return finishRun(this.ptr, ONCE_INCOMPLETE);
    if (!isPlainKind(kind)) return INVALID_ARGUMENT;
    // OWNER is written only by the thread that won the run and cleared before the run ends, so our
    // agent number there proves the run (and the cell) is ours: refuse before touching AUX.
    if (<u32>load32(this.ptr + ON_OWNER) != AGENT) return NOT_OWNER;
    // Read by other threads only once they see COMPLETE, which the xchg in finishRun publishes after it.
    store32(this.ptr + O_AUX, <i32>kind);
    return finishRun(this.ptr, ONCE_COMPLETE);
  }

  wait(): i32 { return beginUntil(this.ptr, false, false, Infinity); }

  waitFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return beginUntil(this.ptr, false, false, deadlineAfter(ms));
  }

  /** Whether the cell holds a value; read kind and valuePtr only once it does. */
  isSet(): bool { return onceState(this.ptr) == ONCE_COMPLETE; }

  /** The value kind (KIND_*), fixed by the initialiser; KIND_NONE while empty. */
  get kind(): u32 { return <u32>load32(this.ptr + O_AUX); }

  /** Address of the value (16 bytes, the lock value slot): written by the initialiser before finish. */
  get valuePtr(): usize { return this.ptr + ON_VALUE; }

  /** +1 reference (Arc::clone): SUCCESS, or INVALID_HANDLE if the OnceLock already died. */
  retain(): i32 { return retainObject(this.ptr); }

  /**
   * -1 reference; the last frees it. Only while the cell is empty or holds a plain value: a cell
   * holding a handle or a structured value (set by JS) must be dropped by JS. Returns the
   * references left.
   */
  drop(): i32 { return dropObject(this.ptr); }
}
