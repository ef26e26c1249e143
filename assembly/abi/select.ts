// ABI exports for select and for the waiting operations of zero (rendezvous) channels. See
// assembly/channel/select.ts (the algorithm and the operation table), context.ts (the SELECT
// word async forms wait on), zero.ts. Timeouts are ms from now (Infinity = none).
//
// Async forms keep no state in wasm globals across an await (several can interleave on one JS
// thread): the host holds the context pointer and calls, in turn,
//   select:  select_try → select_register → await waitAsync(SELECT, 0) → select_finish → (loop)
//   zero:    chan_zero_begin → await waitAsync(SELECT, 0) → chan_zero_finish
//   ready:   select_ready_try → select_ready_register → await waitAsync → select_ready_finish → (loop)
// select_index / chan_value / chan_zero_ctx are read right after the call that set them.
// An empty table (n = 0) is refused (INVALID_ARGUMENT, or 0 / -1); the host never sends one.
import { deadlineAfter } from "../sync/futex";
import { INVALID_ARGUMENT } from "../layout";
import {
  selectRun, selectTry, selectRegister, selectFinish, selectIndex, randomStart, readyTry, opReady,
  readyRegister, readyFinish, readyRun,
} from "../channel/select";
import { zeroBegin, zeroBegun, zeroFinish } from "../channel/zero";
export { ZERO_CHAN_SIZE } from "../channel/zero";

export { OP_CHAN, OP_KIND, OP_VALUE, OP_SIZE, OP_RECV, OP_SEND } from "../channel/select";
export { X_SELECT, SEL_WAITING } from "../channel/context";

/** Blocking select over `n` operations at `ops`: a result code; the operation in select_index(). */
export function select_run(ops: usize, n: u32, timeoutMs: f64, dflt: i32): i32 {
  if (n == 0) return INVALID_ARGUMENT;
  return selectRun(ops, n, deadlineAfter(timeoutMs), dflt != 0);
}
/** Index of the operation this thread's last select call completed. */
export function select_index(): i32 { return selectIndex(); }
/** A random start index in [0, n) (the host's async form uses it too). */
export function select_random(n: u32): u32 { return n == 0 ? 0 : randomStart(n); }
/** Tries every operation once from `start`: SUCCESS / DISCONNECTED (select_index), WOULD_BLOCK, or an error. */
export function select_try(ops: usize, n: u32, start: u32): i32 { return n == 0 ? INVALID_ARGUMENT : selectTry(ops, n, start); }
/** Registers every operation: the context (wait while its SELECT word is 0), or 0 when out of memory. */
export function select_register(ops: usize, n: u32): usize { return n == 0 ? 0 : selectRegister(ops, n, true); } // the host's selectAsync
/** Unregisters and frees the context; SUCCESS / DISCONNECTED (select_index), WOULD_BLOCK (go again), or an error. */
export function select_finish(ctx: usize, ops: usize, n: u32): i32 { return selectFinish(ctx, ops, n); }
/** Index of an operation ready now (without performing it), from `start`, or -1. */
export function select_ready_try(ops: usize, n: u32, start: u32): i32 { return n == 0 ? -1 : readyTry(ops, n, start); }
/** Blocking ready (Select.ready): SUCCESS (the index in select_index()), TIMEOUT or OUT_OF_MEMORY. */
export function select_ready_run(ops: usize, n: u32, timeoutMs: f64): i32 {
  return n == 0 ? INVALID_ARGUMENT : readyRun(ops, n, deadlineAfter(timeoutMs));
}
/** Registers watchers for every operation: the context to wait on, or 0 when out of memory. */
export function select_ready_register(ops: usize, n: u32): usize { return n == 0 ? 0 : readyRegister(ops, n); }
/** Unregisters and frees it: the index of the operation a peer reported ready, or -1 (look again). */
export function select_ready_finish(ctx: usize, ops: usize, n: u32): i32 { return readyFinish(ctx, ops, n); }
/** Whether operation k of the table is ready now. */
export function select_op_ready(ops: usize, k: u32): i32 { return opReady(ops, k) ? 1 : 0; }

/**
 * Starts an async send (`isSend` 1, message `v`) or receive on zero channel `c`: SUCCESS (paired
 * at once; a received value in chan_value()), DISCONNECTED, OUT_OF_MEMORY, or WOULD_BLOCK with a
 * context (chan_zero_ctx()) to wait on and hand to chan_zero_finish.
 */
export function chan_zero_begin(c: usize, isSend: i32, v: f64): i32 { return zeroBegin(c, isSend != 0, v); }
export function chan_zero_ctx(): usize { return zeroBegun(); }
/** Ends it (aborting if nobody decided yet); frees the context. SUCCESS, DISCONNECTED or TIMEOUT. */
export function chan_zero_finish(c: usize, ctx: usize, isSend: i32): i32 { return zeroFinish(c, ctx, isSend != 0); }
