// WaitGroup for kernels: a view over a weft WaitGroup (assembly/sync/waitgroup.ts) at its address.
import { objNew, objCheck } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import { wgInit, wgJoin, wgLeave, wgWait as waitUntil, W_COUNT, WAITGROUP_SIZE } from "../sync/waitgroup";
import { load32 } from "../sync/atomic";
import { TAG_WAITGROUP, INVALID_ARGUMENT } from "../layout";
import { retainObject, dropObject } from "./common";

/**
 * A weft WaitGroup seen from a kernel (the `ptr` of a JS `weft.WaitGroup`): waits until every
 * member has left. COUNT (members) is separate from the reference count: a kernel handed a
 * member, e.g. the raw form of `wg.clone().intoRaw()` (one member and one reference), ends it
 * with `leave()` then `drop()`, as JS `drop()` does both.
 *
 *   const wg = WaitGroup.at(ptr);
 *   work(); wg.leave();          // in each member
 *   wg.wait();                   // elsewhere: returns once COUNT is 0
 *
 * join() adds a member and returns the new count. leave() returns SUCCESS, or INVALID_ARGUMENT if
 * there was no member (COUNT stays 0); the last leave wakes every waiter. wait()/waitFor(ms) do
 * not leave (unlike JS wait(), which gives up its handle's membership first): SUCCESS, TIMEOUT,
 * INVALID_ARGUMENT (negative or NaN timeout). Waiting while this thread is itself a member that
 * nobody else will end never returns (waitFor bounds it).
 */
// @ts-ignore: decorator
@unmanaged export class WaitGroup {
  /** The WaitGroup at `ptr` (no check: use `WaitGroup.check` on pointers from untrusted input). */
  static at(ptr: usize): WaitGroup { return changetype<WaitGroup>(ptr); }

  /** SUCCESS if `ptr` is a live WaitGroup of generation `gen`, else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_WAITGROUP, gen); }

  /** A new WaitGroup whose creator is its one member (COUNT 1, one reference), or null when out of memory. */
  static create(): WaitGroup | null {
    const w = objNew(TAG_WAITGROUP, WAITGROUP_SIZE, 0);
    if (w != 0) wgInit(w);
    return changetype<WaitGroup | null>(w);
  }

  get ptr(): usize { return changetype<usize>(this); }

  join(): i32 { return wgJoin(this.ptr); }

  leave(): i32 { return wgLeave(this.ptr); }

  wait(): i32 { return waitUntil(this.ptr, Infinity); }

  waitFor(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return waitUntil(this.ptr, deadlineAfter(ms));
  }

  /** Members right now (a snapshot). */
  get count(): i32 { return load32(this.ptr + W_COUNT); }

  /** +1 reference (not a member): SUCCESS, or INVALID_HANDLE if the WaitGroup already died. */
  retain(): i32 { return retainObject(this.ptr); }

  /** -1 reference (membership unchanged: leave() first); the last frees it. Returns the references left. */
  drop(): i32 { return dropObject(this.ptr); }
}

// Function forms, for code that keeps raw pointers.
export function waitGroupJoin(w: usize): i32 { return wgJoin(w); }
export function waitGroupLeave(w: usize): i32 { return wgLeave(w); }
export function waitGroupWait(w: usize): i32 { return waitUntil(w, Infinity); }
export function waitGroupWaitFor(w: usize, ms: f64): i32 { return WaitGroup.at(w).waitFor(ms); }
