// Test fixture for the lock suites: wait (by polling the engine's own atomic words, no timers)
// until another thread is about to sleep in a blocking Mutex / RwLock / Condvar operation, so a
// test can act on a *blocked* peer instead of racing it (as tests/channel-wait.ts does for channels).
import { weft } from "./helpers";
import { spinUntil } from "./channel-wait";

/** Runs `f` over an Int32Array on the engine memory (a probe's buffer is the memory as of now). */
function withMemory<R>(f: (i32: Int32Array, L: Record<string, number>) => R): R {
  const probe = new weft.SharedArray(Int32Array, 1);
  try {
    return f(new Int32Array(probe.array.buffer), weft.__bench.layout());
  } finally {
    probe.drop();
  }
}

/**
 * Spins until some thread is blocked on the lock or condvar `obj` (its agent record's WAITING word
 * names it: stored past spinning, right before the futex wait). Throws after `limitMs`.
 */
export function waitUntilBlockedOn(obj: { ptr: number }, limitMs = 10_000): void {
  const ptr = obj.ptr;
  withMemory((i32, L) => {
    const blocked = (): boolean => {
      for (let a = 0; a < L.MAX_AGENTS; a++) {
        if (Atomics.load(i32, (L.H_AGENT_TABLE + a * L.AGENT_SIZE + L.A_WAITING) >>> 2) === ptr) return true;
      }
      return false;
    };
    spinUntil(blocked, `a thread blocked on object ${ptr}`, limitMs);
  });
}

/**
 * Spins until at least `count` acquires wait on Semaphore `s`: blocked threads (WAITERS bits 0..7)
 * plus parked acquireAsync calls (2^8 each). Throws after `limitMs`.
 */
export function waitUntilSemWaiters(s: { ptr: number }, count: number, limitMs = 10_000): void {
  const idx = (s.ptr + weft.__bench.layout().S_WAITERS) >>> 2;
  withMemory((i32) => {
    const waiting = (): number => { const w = Atomics.load(i32, idx) >>> 0; return (w & 0xFF) + (w >>> 8); };
    spinUntil(() => waiting() >= count, `${count} semaphore waiters`, limitMs);
  });
}

/** Semaphore `s`'s WAITERS word now. */
export function semWaitersWord(s: { ptr: number }): number {
  const idx = (s.ptr + weft.__bench.layout().S_WAITERS) >>> 2;
  return withMemory((i32) => Atomics.load(i32, idx));
}

/**
 * recvTimeout that returns the timeout error instead of throwing it, so a test can still free
 * the threads it left waiting before it checks the result.
 */
export function recvOrError(rx: weft.Receiver<any>, ms: number): unknown {
  try {
    return rx.recvTimeout(ms);
  } catch (e) {
    return e;
  }
}
