// Barrier: std::sync::Barrier, reusable across generations, with a withdrawable timed wait.
//
//   +0  object header (tag TAG_BARRIER, gen, refs, aux unused)
//   +16 COUNT  u32  arrivals in the current generation          } one i64 STATE word, changed
//   +20 GEN    u32  generation number, 31 bits, wraps to 0       } only by a 64-bit cmpxchg
//   +24 N      u32  parties (>= 1, fixed at creation)
//
// Arrival is one cmpxchg on STATE. Arrival number N (the last one) resets COUNT to 0 and bumps
// GEN in the same cmpxchg, then wakes every thread sleeping on the GEN word: it is the leader of
// that generation, exactly one per generation. The others sleep on GEN (its upper 32 bits, a
// 4-byte aligned futex word) while it still holds the generation they arrived in.
//
//   STATE (count, gen)      event                         next STATE
//   (c, g), c + 1 < N       a thread arrives               (c + 1, g)     -> it waits on GEN == g
//   (N - 1, g)              the last thread arrives        (0, g + 1)     -> leader, wakes all
//   (c, g), c >= 1          a waiter of g times out        (c - 1, g)     -> withdrawn (TIMEOUT)
//   (c, g'), g' != g        a waiter of g times out        unchanged      -> g completed: normal result
//
// Because count and generation change together, a timed-out waiter withdraws its arrival only if
// its generation has not completed; a timeout racing with completion returns the normal result.
import { load32, load64, cas64 } from "./atomic";
import { futexWait, futexWake, TIMED_OUT } from "./futex";
import { SUCCESS, TIMEOUT } from "../layout";

export const B_STATE: usize = 16;
export const B_COUNT: usize = 16;
export const B_GEN: usize = 20;
export const B_N: usize = 24;
export const BARRIER_SIZE: usize = 32;

/** barrier_wait's result for the generation's leader (a plain SUCCESS for the others). */
export const BARRIER_LEADER: i32 = 0x100;
/** barrierArrive's result for the leader (every other result is a generation, >= 0). */
export const ARRIVED_LEADER: i32 = -1;

const GEN_MASK: u32 = 0x7FFFFFFF; // 31-bit generations: an arrival token is never negative

// @ts-ignore: decorator
@inline function pack(count: u32, gen: u32): i64 { return (<i64>gen << 32) | <i64>count; }

/**
 * Counts one arrival. Returns ARRIVED_LEADER if it completed the generation (everyone is woken),
 * else the generation to wait on (sleep while GEN still equals it; see barrierWithdraw).
 */
export function barrierArrive(b: usize): i32 {
  const n = <u32>load32(b + B_N);
  let s = load64(b + B_STATE);
  for (;;) {
    const count = <u32>s;
    const gen = <u32>(s >>> 32);
    const last = count + 1 >= n;
    const next = last ? pack(0, (gen + 1) & GEN_MASK) : s + 1;
    const seen = cas64(b + B_STATE, s, next);
    if (seen == s) {
      if (!last) return <i32>gen;
      // Pairs with the futexWait in barrierWait (and the host's Atomics.waitAsync on GEN): the
      // cmpxchg above already changed GEN, so a waiter either sees the new value or is woken here.
      futexWake(b + B_GEN, i32.MAX_VALUE);
      return ARRIVED_LEADER;
    }
    s = seen; // another arrival or withdrawal came first: recompute from what it left
  }
  return ARRIVED_LEADER; // not reached
}

/**
 * Takes back an arrival in generation `gen` after a timeout: TIMEOUT if withdrawn, SUCCESS if the
 * generation completed meanwhile (the arrival counted, the caller is an ordinary follower).
 */
export function barrierWithdraw(b: usize, gen: i32): i32 {
  let s = load64(b + B_STATE);
  for (;;) {
    // A different generation means ours completed: our arrival was part of it.
    if (<i32>(s >>> 32) != gen) return SUCCESS;
    // Same generation, so our arrival is still counted in COUNT (>= 1): remove it.
    const seen = cas64(b + B_STATE, s, s - 1);
    if (seen == s) return TIMEOUT;
    s = seen;
  }
  return SUCCESS; // not reached
}

/** Arrives and waits until the generation completes or `deadline`: BARRIER_LEADER, SUCCESS or TIMEOUT. */
export function barrierWait(b: usize, deadline: f64): i32 {
  const gen = barrierArrive(b);
  if (gen == ARRIVED_LEADER) return BARRIER_LEADER;
  return barrierWaitCold(b, gen, deadline);
}

function barrierWaitCold(b: usize, gen: i32, deadline: f64): i32 {
  // GEN changes exactly once per generation (by its leader), and the leader wakes all after it.
  while (load32(b + B_GEN) == gen) {
    if (futexWait(b + B_GEN, gen, deadline) == TIMED_OUT) return barrierWithdraw(b, gen);
  }
  return SUCCESS;
}
