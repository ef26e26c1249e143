// WaitGroup (crossbeam_utils::sync::WaitGroup): waits until every member has left.
//
//   WaitGroup  +0 header (TAG_WAITGROUP)         +16 COUNT  members (futex word)
//   member     +0 header (TAG_WAITGROUP_MEMBER)  +16 WG     the WaitGroup   +20 WG_GEN its gen
//
// COUNT (members) is separate from REFS (references): every member holds a reference, so the
// object outlives its members, and waiters hold a reference of their own while they wait.
// A WaitGroup crossing threads travels as a *member token*: a small object owning one reference
// to the WaitGroup and one membership. Decoding the token turns it into a WaitGroup handle (the
// token is freed); dropping an undelivered token (an encoding that failed, a message never read)
// gives both back. This keeps COUNT exact on every path a handle can take (see ts/sync/waitgroup.ts).
//
//   COUNT   event                          next
//   c       a member joins (clone, send)   c + 1
//   c >= 2  a member leaves (drop, wait)   c - 1
//   1       the last member leaves         0       -> wakes every waiter
//   0       waiters return                 (a later join starts a new round)
import { load32, store32, cas32, add32 } from "./atomic";
import { futexWait, futexWake, TIMED_OUT } from "./futex";
import { SUCCESS, TIMEOUT, INVALID_ARGUMENT } from "../layout";

export const W_COUNT: usize = 16;
export const WAITGROUP_SIZE: usize = 24;
export const WM_WG: usize = 16;
export const WM_WG_GEN: usize = 20;
export const WG_MEMBER_SIZE: usize = 24;

/** Tag of member tokens (the wire form of a WaitGroup handle). */
export const TAG_WAITGROUP_MEMBER: u32 = 0xC0DE0107;

/** Initialises a fresh WaitGroup object: its creator is the first member. */
export function wgInit(w: usize): void { store32(w + W_COUNT, 1); }

/** One more member; returns the new count. */
export function wgJoin(w: usize): i32 { return add32(w + W_COUNT, 1) + 1; }

/** One member leaves: SUCCESS, or INVALID_ARGUMENT if there was none (COUNT stays 0). */
export function wgLeave(w: usize): i32 {
  let c = load32(w + W_COUNT);
  for (;;) {
    if (c <= 0) return INVALID_ARGUMENT;
    const seen = cas32(w + W_COUNT, c, c - 1);
    if (seen == c) break;
    c = seen;
  }
  // Pairs with the futexWait in wgWaitCold and the host's Atomics.waitAsync on COUNT.
  if (c == 1) futexWake(w + W_COUNT, i32.MAX_VALUE);
  return SUCCESS;
}

/** Blocks until COUNT is 0 or `deadline`: SUCCESS or TIMEOUT. */
// @ts-ignore: decorator
@inline export function wgWait(w: usize, deadline: f64): i32 {
  if (load32(w + W_COUNT) == 0) return SUCCESS;
  return wgWaitCold(w, deadline);
}

function wgWaitCold(w: usize, deadline: f64): i32 {
  let c = load32(w + W_COUNT);
  while (c != 0) {
    // Sleeps while COUNT is still c; intermediate leaves do not wake, the last one does.
    if (futexWait(w + W_COUNT, c, deadline) == TIMED_OUT) {
      return load32(w + W_COUNT) == 0 ? SUCCESS : TIMEOUT;
    }
    c = load32(w + W_COUNT);
  }
  return SUCCESS;
}
