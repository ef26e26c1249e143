// Once and OnceLock: one-time initialisation (std::sync::Once, std::sync::OnceLock), after the
// futex Once of Rust's std (library/std/src/sys/sync/once/futex.rs).
//
//   Once      +0 header (TAG_ONCE)       +16 STATE  +20 OWNER
//   OnceLock  +0 header (TAG_ONCE_LOCK,  +16 STATE  +20 OWNER  +32 VALUE (8)  +40 VALUE2 (8)
//                aux = value kind, written by the initialiser before COMPLETE publishes it)
//
// STATE is one futex word. OWNER is the agent running the initialiser (0 if none), only for
// detecting a thread that would wait for itself.
//
//   STATE           meaning                              begin (call)          wait (no run)
//   INCOMPLETE  0   never run, or a OnceLock init threw  cmpxchg -> RUNNING     sleeps
//   RUNNING     1   a thread runs the fn                 sleeps                 sleeps
//   COMPLETE    2   done; the value (OnceLock) is set    returns                returns
//   POISONED    3   a Once fn threw (Rust's poisoning)   ONCE_POISONED, or      ONCE_POISONED
//                                                        runs it if forced
//   | QUEUED    4   flag on INCOMPLETE/RUNNING/POISONED: some thread sleeps (or is about to) on STATE
//
// A thread sets QUEUED (cmpxchg) before it sleeps on STATE == state|QUEUED; taking over the run
// keeps the flag (INCOMPLETE|QUEUED -> RUNNING|QUEUED). The runner ends with one xchg to
// COMPLETE, POISONED (Once) or INCOMPLETE (OnceLock: Rust leaves the cell empty when the init
// panics, and another caller may try). If the old state carried QUEUED it wakes every sleeper:
// they re-read STATE and return, take over, or set QUEUED and sleep again.
import { load32, store32, cas32, xchg32 } from "./atomic";
import { futexWait, futexWake, TIMED_OUT } from "./futex";
import { AGENT } from "../engine/local";
import { SUCCESS, WOULD_BLOCK, TIMEOUT, WOULD_DEADLOCK, ONCE_POISONED, NOT_OWNER } from "../layout";

export const ON_STATE: usize = 16;
export const ON_OWNER: usize = 20;
export const ONCE_SIZE: usize = 24;
export const ON_VALUE: usize = 32;
export const ON_VALUE2: usize = 40;
export const ONCE_LOCK_SIZE: usize = 48;

/** OnceLock's own type tag (Once uses TAG_ONCE of layout.ts). */
export const TAG_ONCE_LOCK: u32 = 0xC0DE0105;

export const ONCE_INCOMPLETE: i32 = 0;
export const ONCE_RUNNING: i32 = 1;
export const ONCE_COMPLETE: i32 = 2;
export const ONCE_POISONED_STATE: i32 = 3;
export const ONCE_QUEUED: i32 = 4;

/** onceBegin results besides the common codes: the caller now runs the fn (and must finish). */
export const ONCE_RUN: i32 = 0x100;
/** … the caller runs the fn of a forced call over a poisoned Once. */
export const ONCE_RUN_POISONED: i32 = 0x101;

/**
 * One non-blocking step. With `run`, a begin: SUCCESS (complete), ONCE_RUN / ONCE_RUN_POISONED
 * (the caller now owns the run and must call onceFinish), ONCE_POISONED, or WOULD_BLOCK. Without
 * `run`, a wait: SUCCESS, ONCE_POISONED (unless `force`) or WOULD_BLOCK. WOULD_BLOCK leaves QUEUED
 * set, so the next finish wakes sleepers on STATE (the host's Atomics.waitAsync included).
 */
export function onceStep(o: usize, force: bool, run: bool): i32 {
  const state = o + ON_STATE;
  let s = load32(state);
  for (;;) {
    const queued = s & ONCE_QUEUED;
    const st = s & ~ONCE_QUEUED;
    if (st == ONCE_COMPLETE) return SUCCESS;
    if (st == ONCE_POISONED_STATE && !force) return ONCE_POISONED;
    if (run && st != ONCE_RUNNING) {
      // INCOMPLETE, or POISONED with force: take the run, keeping the sleepers' flag.
      const seen = cas32(state, s, ONCE_RUNNING | queued);
      if (seen == s) {
        store32(o + ON_OWNER, <i32>AGENT);
        return st == ONCE_INCOMPLETE ? ONCE_RUN : ONCE_RUN_POISONED;
      }
      s = seen;
      continue;
    }
    if (queued == 0) {
      // Announce a sleeper before sleeping, so the runner's finish knows to wake.
      const seen = cas32(state, s, s | ONCE_QUEUED);
      if (seen != s) { s = seen; continue; }
    }
    return WOULD_BLOCK;
  }
  return WOULD_BLOCK; // not reached
}

/**
 * Blocking form of onceStep: its results (never WOULD_BLOCK), TIMEOUT at `deadline`, or
 * WOULD_DEADLOCK when this very thread runs the initialiser (a recursive call from inside the fn,
 * or a blocking call while an asynchronous fn of this thread is pending).
 */
export function onceBegin(o: usize, force: bool, run: bool, deadline: f64): i32 {
  const r = onceStep(o, force, run);
  if (r != WOULD_BLOCK) return r;
  return onceBeginCold(o, force, run, deadline);
}

function onceBeginCold(o: usize, force: bool, run: bool, deadline: f64): i32 {
  for (;;) {
    // OWNER is cleared before the runner leaves RUNNING, so our own agent number here means the
    // run in progress is ours: waiting for it could never end.
    if (<u32>load32(o + ON_OWNER) == AGENT) return WOULD_DEADLOCK;
    // Pairs with the futexWake in onceFinish. A state without QUEUED has changed since onceStep
    // set the flag (a finish): no sleep, step again.
    const s = load32(o + ON_STATE);
    const w = (s & ONCE_QUEUED) != 0 ? futexWait(o + ON_STATE, s, deadline) : 0;
    const r = onceStep(o, force, run);
    if (r != WOULD_BLOCK) return r;
    if (w == TIMED_OUT) return TIMEOUT;
  }
  return TIMEOUT; // not reached
}

/**
 * Ends the caller's run with `outcome` (COMPLETE, POISONED or INCOMPLETE) and wakes sleepers:
 * SUCCESS, or NOT_OWNER if this thread does not own a run in progress (nothing changes).
 */
export function onceFinish(o: usize, outcome: i32): i32 {
  // OWNER is written only by the thread that won RUNNING, so our agent number proves the run is ours.
  if (<u32>load32(o + ON_OWNER) != AGENT || (load32(o + ON_STATE) & ~ONCE_QUEUED) != ONCE_RUNNING) return NOT_OWNER;
  store32(o + ON_OWNER, 0); // before STATE changes: see onceBeginCold
  // The xchg publishes the OnceLock value (written before it) to every reader that sees COMPLETE.
  if ((xchg32(o + ON_STATE, outcome) & ONCE_QUEUED) != 0) futexWake(o + ON_STATE, i32.MAX_VALUE);
  return SUCCESS;
}

/** The current STATE (for isCompleted and OnceLock.get). */
// @ts-ignore: decorator
@inline export function onceState(o: usize): i32 { return load32(o + ON_STATE); }
