// The asynchronous twin of a futex lock's blocking slow path, shared by RwLock and Condvar.
//
// The engine exposes each slow path as a "step": one attempt that either takes the lock or
// announces this waiter exactly like the blocking path does before it sleeps (a waiting bit, a
// contended state) and returns WOULD_BLOCK. The host then awaits `Atomics.waitAsync` on the same
// futex word and value the blocking path would sleep on, so the same notify wakes both kinds of
// waiters, and steps again.
import { views } from "../engine";
import { Code } from "../errors";
import { waitAsync } from "../keepalive";

/**
 * Steps until the lock is taken: resolves with the last step's code (SUCCESS, POISONED, …), or
 * Code.TIMEOUT once `deadline` (a `performance.now()` time, Infinity for none) has passed with the
 * lock still held by others. A step always runs after a wake-up, before the deadline is checked,
 * so a waiter that was handed the lock takes it.
 *
 * `parkOn()` is called right after a WOULD_BLOCK step and names the [i32 index, expected value]
 * to wait on. `done()`, if given, runs after every WOULD_BLOCK step once its wait ended (or was
 * given up): steps that count this waiter as an async one (so that wake-ups meant for one waiter
 * also reach the blocked threads behind it) withdraw it there.
 */
export async function stepUntil(
  step: () => number, parkOn: () => [number, number], deadline: number, done?: () => void,
): Promise<number> {
  let code: number;
  while ((code = step()) === Code.WOULD_BLOCK) {
    try {
      const [index, expected] = parkOn();
      const left = deadline - performance.now();
      if (left <= 0) return Code.TIMEOUT;
      await waitAsync(views().i32, index, expected, left);
    } finally {
      done?.();
    }
  }
  return code;
}
