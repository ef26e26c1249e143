// Zero flavor: the rendezvous channel (capacity 0), crossbeam-channel's flavors/zero.rs.
//
//   C_FLAVOR_FIELDS (64)  +4
//   ---+------+------+
//   ...| LOCK | DISC |     LOCK: raw lock (sync/rawlock.ts) over everything below
//   ---+------+------+     DISC: 1 once the channel is disconnected
//   The two waker blocks' selector lists (selectors.ts) are crossbeam's Inner:
//     C_SEND list   senders waiting for a receiver (their entry VALUE holds the message)
//     C_RECV list   receivers waiting for a sender (a sender writes their entry VALUE)
//   Their SEL_LOCKs are unused: LOCK guards both lists at once, so "is a peer waiting? else
//   wait myself" is one atomic step and two arriving peers can never both wait for each other.
//   SEQ and WAITERS are unused (waiters sleep on their context word, context.ts).
//
// A message is handed over, never stored: a send completes only when a receiver has taken it.
//   try_send  under LOCK, select the first waiting receiver (selPick: its context goes WAITING ->
//             "operation k selected"), write the message into its entry, wake it. None: FULL
//             (or DISCONNECTED).
//   try_recv  the mirror image: select a waiting sender, read the message out of its entry.
//   send/recv (blocking or async) try first; if nobody waits, link an entry of their own context
//             into their list (still under LOCK) and sleep on the context until a peer selects
//             them, the channel is disconnected (SELECT = DISCONNECTED) or the deadline passes
//             (they abort: SELECT = ABORTED; if a peer won the race, the exchange happened).
// Every access to an entry and to a peer's context happens under LOCK, and the owner takes LOCK to
// unregister before it reads VALUE or frees its context: so the exchange is complete, and nobody
// touches the entry any more, once the owner holds LOCK. (crossbeam writes the message outside
// the lock and has the owner spin on a READY flag; a message here is one f64, cheap to write
// inside the lock, so no READY flag is needed.)
//
// A select (select.ts) registers entries with the same lists, tagged with its operation index;
// selecting such an entry commits the select to that operation. Entries of one context never
// pair with each other (`self`), so a select that both sends and receives on one zero channel
// waits for another thread (crossbeam's send_recv_same_channel).
import { load32, store32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { C_FLAVOR_FIELDS, C_SEND, C_RECV } from "./layout";
import { setReceived } from "./received";
import { selLink, selUnlink, selPick, selHasPeer, selDecideAll, selWakeWatchers } from "./selectors";
import {
  ctxNew, ctxFree, ctxEntry, ctxWait, ctxWake, ctxState, trySelect, E_CTX, E_VALUE, E_FLAGS, E_WATCH,
  SEL_ABORTED, SEL_DISCONNECTED, SEL_OPERATION,
} from "./context";
import { SUCCESS, FULL, EMPTY, DISCONNECTED, TIMEOUT, WOULD_BLOCK, OUT_OF_MEMORY, INVALID_ARGUMENT } from "../layout";

export const Z_LOCK: usize = C_FLAVOR_FIELDS;
export const Z_DISC: usize = C_FLAVOR_FIELDS + 4;

/** Bytes of a zero channel object. */
export const ZERO_CHAN_SIZE: usize = C_FLAVOR_FIELDS + 8;

export function zeroSize(cap: u32): usize { return ZERO_CHAN_SIZE; }
/** Initialises a zeroed channel object (not yet shared: plain setup). */
export function zeroInit(c: usize, cap: u32): bool {
  store32(c + Z_LOCK, 0);
  store32(c + Z_DISC, 0);
  return true;
}
/** Nothing to free: entries belong to their operations' contexts. */
export function zeroDestroy(c: usize): void {}

// @ts-ignore: decorator
@inline function entryCtx(e: usize): usize { return <usize><u32>load32(e + E_CTX); }

/** Under LOCK: hands `value` to a waiting receiver not of context `self`; false if none. */
function pairSend(c: usize, value: f64, self: usize): bool {
  const e = selPick(c + C_RECV, self);
  if (e == 0) return false;
  store<f64>(e + E_VALUE, value); // under LOCK: the receiver reads it only after taking LOCK
  ctxWake(entryCtx(e));
  return true;
}

/** Under LOCK: takes the message of a waiting sender not of context `self` (into received.ts). */
function pairRecv(c: usize, self: usize): bool {
  const e = selPick(c + C_SEND, self);
  if (e == 0) return false;
  setReceived(load<f64>(e + E_VALUE)); // under LOCK: the sender frees its entry only after taking LOCK
  ctxWake(entryCtx(e));
  return true;
}

/**
 * Under LOCK: links `e` as a waiting sender (`isSend`) or receiver. A new waiting party makes
 * the other side ready: wake the watchers (Select.ready) of the other list.
 */
function waitHere(c: usize, isSend: bool, e: usize): void {
  selLink(c + (isSend ? C_SEND : C_RECV), e);
  if ((load32(e + E_FLAGS) & E_WATCH) == 0) selWakeWatchers(c + (isSend ? C_RECV : C_SEND));
}

/** try_send: SUCCESS (a receiver took it), FULL (no receiver waiting) or DISCONNECTED. */
export function zeroTrySend(c: usize, value: f64): i32 {
  rawLock(c + Z_LOCK);
  let r = FULL;
  if (pairSend(c, value, 0)) r = SUCCESS;
  else if (load32(c + Z_DISC) != 0) r = DISCONNECTED;
  rawUnlock(c + Z_LOCK);
  return r;
}

/** try_recv: SUCCESS (value in received.ts), EMPTY (no sender waiting) or DISCONNECTED. */
export function zeroTryRecv(c: usize): i32 {
  rawLock(c + Z_LOCK);
  let r = EMPTY;
  if (pairRecv(c, 0)) r = SUCCESS;
  else if (load32(c + Z_DISC) != 0) r = DISCONNECTED;
  rawUnlock(c + Z_LOCK);
  return r;
}

// ---- waiting operations: begin (pair or register), wait on the context, finish ---------------

/** The context of this thread's last zeroBegin that answered WOULD_BLOCK (read right after it). */
let begun: usize = 0;
export function zeroBegun(): usize { return begun; }

/**
 * Starts a waiting send (`isSend`, message `value`) or receive: pairs with a waiting peer at once
 * (SUCCESS; a received value is in received.ts), or answers DISCONNECTED / OUT_OF_MEMORY, or
 * registers a fresh one-entry context and answers WOULD_BLOCK (the context: zeroBegun()). The
 * caller then waits for the context's SELECT word to leave 0 (ctxWait, or Atomics.waitAsync)
 * and calls zeroFinish.
 */
export function zeroBegin(c: usize, isSend: bool, value: f64): i32 {
  const ctx = ctxNew(1);
  if (ctx == 0) return OUT_OF_MEMORY;
  const e = ctxEntry(ctx, 0);
  store<f64>(e + E_VALUE, value); // not yet shared
  rawLock(c + Z_LOCK);
  let r = WOULD_BLOCK;
  if (isSend ? pairSend(c, value, ctx) : pairRecv(c, ctx)) r = SUCCESS;
  else if (load32(c + Z_DISC) != 0) r = DISCONNECTED;
  else waitHere(c, isSend, e);
  rawUnlock(c + Z_LOCK);
  if (r != WOULD_BLOCK) { ctxFree(ctx); return r; }
  begun = ctx;
  return WOULD_BLOCK;
}

/**
 * Ends a waiting operation begun by zeroBegin, after SELECT left 0 or the deadline passed (then
 * it aborts; a peer that selected it first wins). Frees the context. SUCCESS (a received value is
 * in received.ts), DISCONNECTED or TIMEOUT.
 */
export function zeroFinish(c: usize, ctx: usize, isSend: bool): i32 {
  trySelect(ctx, SEL_ABORTED); // fails if a peer decided first: that decision stands
  const e = ctxEntry(ctx, 0);
  rawLock(c + Z_LOCK); // after this, any peer that selected us has finished the exchange
  selUnlink(e);
  const s = ctxState(ctx);
  if (s >= SEL_OPERATION && !isSend) setReceived(load<f64>(e + E_VALUE));
  rawUnlock(c + Z_LOCK);
  ctxFree(ctx);
  return s >= SEL_OPERATION ? SUCCESS : s == SEL_DISCONNECTED ? DISCONNECTED : TIMEOUT;
}

/** send until `deadline`: SUCCESS (a receiver took it), DISCONNECTED or TIMEOUT. */
export function zeroSend(c: usize, value: f64, deadline: f64): i32 {
  const r = zeroBegin(c, true, value);
  if (r != WOULD_BLOCK) return r;
  const ctx = begun;
  ctxWait(ctx, deadline);
  return zeroFinish(c, ctx, true);
}

/** recv until `deadline`: SUCCESS (value in received.ts), DISCONNECTED or TIMEOUT. */
export function zeroRecv(c: usize, deadline: f64): i32 {
  const r = zeroBegin(c, false, 0);
  if (r != WOULD_BLOCK) return r;
  const ctx = begun;
  ctxWait(ctx, deadline);
  return zeroFinish(c, ctx, false);
}

// The SEQ-word step protocol of array/list does not apply: async operations on a zero channel
// wait on their context word (zeroBegin / zeroFinish, abi/select.ts).
export function zeroSendStep(c: usize, value: f64): i32 { return INVALID_ARGUMENT; }
export function zeroSendDone(c: usize): void {}
export function zeroRecvStep(c: usize): i32 { return INVALID_ARGUMENT; }
export function zeroRecvDone(c: usize): void {}

// ---- select (select.ts) ----------------------------------------------------------------------

/**
 * Links select entry `e` (of context `ctx`; a watcher if its FLAGS say so) as a waiting sender or
 * receiver; returns whether the operation is ready now (a peer of another context waits, or the channel is disconnected).
 */
export function zeroRegister(c: usize, isSend: bool, e: usize, ctx: usize): bool {
  rawLock(c + Z_LOCK);
  waitHere(c, isSend, e);
  const ready = load32(c + Z_DISC) != 0 || selHasPeer(c + (isSend ? C_RECV : C_SEND), ctx);
  rawUnlock(c + Z_LOCK);
  return ready;
}

/**
 * Unlinks select entry `e` (if no peer did). If the entry's context selected it, a received
 * message is put in received.ts. Taking LOCK orders this after any peer's exchange.
 */
export function zeroUnregister(c: usize, isSend: bool, e: usize, selected: bool): void {
  rawLock(c + Z_LOCK);
  selUnlink(e);
  if (selected && !isSend) setReceived(load<f64>(e + E_VALUE));
  rawUnlock(c + Z_LOCK);
}

/** Whether a send (`isSend`) or receive would complete now (ready, without doing it). */
export function zeroReady(c: usize, isSend: bool): bool {
  rawLock(c + Z_LOCK);
  const ready = load32(c + Z_DISC) != 0 || selHasPeer(c + (isSend ? C_RECV : C_SEND), 0);
  rawUnlock(c + Z_LOCK);
  return ready;
}

export function zeroLen(c: usize): u32 { return 0; }

/** Marks the channel disconnected and wakes every waiting sender and receiver; true the first time. */
export function zeroDisconnect(c: usize): bool {
  rawLock(c + Z_LOCK);
  const first = load32(c + Z_DISC) == 0;
  if (first) {
    store32(c + Z_DISC, 1);
    selDecideAll(c + C_SEND, SEL_DISCONNECTED);
    selDecideAll(c + C_RECV, SEL_DISCONNECTED);
  }
  rawUnlock(c + Z_LOCK);
  return first;
}

export function zeroIsDisconnected(c: usize): bool { return load32(c + Z_DISC) != 0; }
