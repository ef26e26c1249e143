// Test fixture for the channel suites: wait (by polling the channel's own atomic words, no timers)
// until an operation of another thread is parked on a channel, so a test can act on a *blocked*
// peer (crossbeam's disconnect_wakes_*, Go's "send to a full channel blocks") instead of racing it.
import { weft } from "./helpers";

/**
 * Spins until at least `count` operations wait on `end`'s channel in direction `dir`: announced
 * sleepers (waker WAITERS: blocked or parked-async sends / receives on bounded and unbounded
 * channels) plus registered entries (waker SEL_COUNT: rendezvous waits and selects). An announced
 * operation has made its last attempt before sleeping; whatever the caller does next reaches it
 * through the wake-up protocol (assembly/channel/waker.ts). Throws after `limitMs` so a broken
 * channel fails the test instead of hanging the file.
 */
export function waitUntilBlocked(end: weft.Sender<any> | weft.Receiver<any>, dir: "send" | "recv", count = 1, limitMs = 10_000): void {
  const L = weft.__bench.layout();
  const chan = end.selectChan;
  const waiters = chan + (dir === "send" ? L.C_SEND_WAITERS : L.C_RECV_WAITERS);
  const selCount = waiters + 8; // waker block: +0 SEQ, +4 WAITERS, +8 SEL_LOCK, +12 SEL_COUNT (layout.ts)
  const probe = new weft.SharedArray(Int32Array, 1); // its buffer is the engine memory, as of now
  try {
    const i32 = new Int32Array(probe.array.buffer);
    const giveUp = performance.now() + limitMs;
    const parked = (): number => {
      const w = Atomics.load(i32, waiters >>> 2) >>> 0; // sync sleepers + 2^8 per async one (waker.ts)
      return (w & 0xFF) + (w >>> 8) + Atomics.load(i32, selCount >>> 2);
    };
    while (parked() < count) {
      if (performance.now() > giveUp) throw new Error(`waitUntilBlocked: fewer than ${count} ${dir} waiters after ${limitMs} ms`);
    }
  } finally {
    probe.drop();
  }
}

/** Spins until `cond()` holds (an atomic read of another thread's progress); throws after `limitMs`. */
export function spinUntil(cond: () => boolean, what: string, limitMs = 10_000): void {
  const giveUp = performance.now() + limitMs;
  while (!cond()) {
    if (performance.now() > giveUp) throw new Error(`spinUntil: ${what} did not happen within ${limitMs} ms`);
  }
}
