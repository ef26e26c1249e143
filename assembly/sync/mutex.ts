// Mutex: a 3-state futex lock (Drepper, "Futexes are tricky", mutex #3) with an owner, a poison
// flag and membership in the owner's held-lock list.
//
//   +0  object header (tag TAG_MUTEX, gen, refs, aux = value kind)
//   +16 STATE      0 unlocked | 1 locked | 2 locked, maybe sleepers (unlock must wake one)
//   +20 OWNER      agent holding it, 0 if none (written by the holder only)
//   +24 POISON     1 once a holder panicked (Rust semantics); cleared by clearPoison
//   +28 NEXT_HELD  link in the owner's held list (held.ts)
//   +32 VALUE      the protected value (8 bytes, kinds in layout.ts), +40 VALUE2 (len or gen)
//   +48 ASYNC      async lock operations (the host's Atomics.waitAsync) parked on STATE
//   +52 (pad)
//
// The fast path is one cmpxchg 0 -> 1 (and unlock one xchg); everything else is in
// `mutexLockCold`. Only a contended unlock (STATE was 2) reads ASYNC.
//
// Async waiters never take a blocked thread's wake-up: Atomics.notify wakes the waiters of a word
// in FIFO order over blocking and async ones alike, and an async waiter acts on its wake-up only
// when its thread's event loop runs, which may be much later (that thread may itself be blocked
// in something else). So a contended unlock wakes 1 + ASYNC waiters: every async one that may
// stand in the queue before the first blocked thread, plus that thread. An async lock counts
// itself in ASYNC (mutexLockStep) before the host starts its waitAsync, and withdraws
// (mutexLockDone) only after that wait ended, so an async waiter queued when the unlocker reads
// ASYNC is counted. The sleepers this unlock must reach were queued before its xchg (a later
// one found STATE changed, or a later holder whose unlock wakes it), so the async waiters before
// them in the queue were queued, hence counted, before the read. A stale count (woken, not yet
// withdrawn) only wakes one thread more, which sets STATE to 2 again and sleeps.
//
// OWNER, POISON and the held-list links are accessed with plain loads and stores: they are
// written only by the holder, and the STATE cmpxchg/xchg (SeqCst) that begin and
// end every holding order them for the next holder. A non-holder reading OWNER can never see its
// own agent number there (only it could have written it, and it clears it before releasing), so
// the ownership check in unlock is exact even when the read races.
import { cas32, xchg32, load32, store32, add32, sub32 } from "./atomic";
import { futexWait, futexWake, spin, TIMED_OUT } from "./futex";
import { heldPush, heldRemove } from "./held";
import { AGENT, AGENT_REC } from "../engine/local";
import {
  A_WAITING, SUCCESS, WOULD_BLOCK, TIMEOUT, POISONED, NOT_OWNER, NOT_LOCKED, WOULD_DEADLOCK,
} from "../layout";

export const M_STATE: usize = 16;
export const M_OWNER: usize = 20;
export const M_POISON: usize = 24;
export const M_NEXT_HELD: usize = 28;
export const M_VALUE: usize = 32;
export const M_VALUE2: usize = 40;
export const M_ASYNC: usize = 48;
export const MUTEX_SIZE: usize = 56;

const UNLOCKED: i32 = 0;
const LOCKED: i32 = 1;
const CONTENDED: i32 = 2;

/** Blocks until locked or `deadline` (ms, Infinity = none): SUCCESS, POISONED, TIMEOUT, WOULD_DEADLOCK. */
// @ts-ignore: decorator
@inline export function mutexLock(m: usize, deadline: f64): i32 {
  if (cas32(m + M_STATE, UNLOCKED, LOCKED) == UNLOCKED) return acquired(m);
  return mutexLockCold(m, deadline);
}

/** One attempt: SUCCESS, POISONED (acquired anyway) or WOULD_BLOCK. */
export function mutexTryLock(m: usize): i32 {
  if (cas32(m + M_STATE, UNLOCKED, LOCKED) == UNLOCKED) return acquired(m);
  return WOULD_BLOCK;
}

/** Releases: SUCCESS, NOT_LOCKED (double unlock) or NOT_OWNER (another thread holds it). */
// @ts-ignore: decorator
@inline export function mutexUnlock(m: usize): i32 {
  // OWNER is only written by the holder, so reading our own agent number back proves we hold it.
  if (load<u32>(m + M_OWNER) != AGENT) {
    return load32(m + M_STATE) == UNLOCKED ? NOT_LOCKED : NOT_OWNER;
  }
  release(m);
  return SUCCESS;
}

/**
 * One step of an asynchronous lock: announces a sleeper like the blocking path, and takes the
 * lock if it was free. WOULD_BLOCK also counts the caller in ASYNC: the host then awaits
 * `Atomics.waitAsync(STATE, 2)` and must call mutexLockDone once that wait ends (or it gives up)
 * before the next step.
 */
export function mutexLockStep(m: usize): i32 {
  if (xchg32(m + M_STATE, CONTENDED) == UNLOCKED) return acquired(m);
  // Counted before the host's waitAsync queues it: see the header.
  add32(m + M_ASYNC, 1);
  return WOULD_BLOCK;
}

/** Withdraws the async waiter counted by a WOULD_BLOCK mutexLockStep. */
export function mutexLockDone(m: usize): void { sub32(m + M_ASYNC, 1); }

/** Drops the lock on behalf of its holder (also used by panic cleanup for this agent's locks). */
export function release(m: usize): void {
  heldRemove(m);
  store<u32>(m + M_OWNER, 0);
  // Pairs with futexWait in mutexLockCold: CONTENDED means a sleeper may be waiting on STATE.
  if (xchg32(m + M_STATE, UNLOCKED) == CONTENDED) wakeContended(m);
}

/** After a contended unlock: wakes one blocked thread, and every async waiter queued before it. */
function wakeContended(m: usize): void {
  // Pairs with the add32 in mutexLockStep (before the host's waitAsync): see the header.
  futexWake(m + M_STATE, 1 + load32(m + M_ASYNC));
}

// @ts-ignore: decorator
@inline function acquired(m: usize): i32 {
  store<u32>(m + M_OWNER, AGENT);
  heldPush(m);
  return load<u32>(m + M_POISON) != 0 ? POISONED : SUCCESS;
}

function mutexLockCold(m: usize, deadline: f64): i32 {
  const state = m + M_STATE;
  // Waiting for a lock this very thread holds can never end: no other code runs here meanwhile.
  if (load<u32>(m + M_OWNER) == AGENT) return WOULD_DEADLOCK;
  for (let r = 0; spin(r); r++) {
    if (load32(state) == UNLOCKED && cas32(state, UNLOCKED, LOCKED) == UNLOCKED) return acquired(m);
  }
  store32(AGENT_REC + A_WAITING, <i32>m); // for deadlock reports
  // Announce a sleeper (state 2) on every attempt; whoever unlocks sees it and wakes one.
  while (xchg32(state, CONTENDED) != UNLOCKED) {
    if (futexWait(state, CONTENDED, deadline) == TIMED_OUT) {
      if (xchg32(state, CONTENDED) == UNLOCKED) break; // freed just as we gave up: take it
      store32(AGENT_REC + A_WAITING, 0);
      return TIMEOUT;
    }
  }
  store32(AGENT_REC + A_WAITING, 0);
  return acquired(m);
}
