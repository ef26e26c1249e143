// Raw lock: the engine's internal 3-state futex lock (Drepper, "Futexes are tricky", mutex #3),
// without owner, poison or held-list bookkeeping. It guards the allocator's free lists and the
// memory growth; the public Mutex (mutex.ts) adds owner, poison and deadlock tracking on top.
//
//   state  meaning
//   0      unlocked
//   1      locked, no waiters
//   2      locked, maybe waiters (unlock must wake one)
import { cas32, xchg32, load32 } from "./atomic";
import { futexWait, futexWake, spin } from "./futex";

// @ts-ignore: decorator
@inline export function rawLock(p: usize): void {
  if (cas32(p, 0, 1) != 0) rawLockCold(p);
}

// @ts-ignore: decorator
@inline export function rawUnlock(p: usize): void {
  // Pairs with the futexWait in rawLockCold: a 2 means someone may sleep on the word.
  if (xchg32(p, 0) == 2) futexWake(p, 1);
}

function rawLockCold(p: usize): void {
  for (let r = 0; spin(r); r++) {
    if (load32(p) == 0 && cas32(p, 0, 1) == 0) return;
  }
  // Announce a sleeper by moving the state to 2; whoever unlocks sees it and wakes one of us.
  while (xchg32(p, 2) != 0) futexWait(p, 2, Infinity);
}
