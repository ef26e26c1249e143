// Injector: the global MPMC queue of jobs that come from outside the pool (install, spawn from a
// thread that is not a worker). Workers take from it when their own deque and their steals from
// the others come up empty.
//
// Design choice: a growable ring under a lock, with lock-free emptiness checks — not
// crossbeam-deque's lock-free block list. Why that is enough here:
//   * Jobs enter the injector only from outside the pool: a handful per `install` / `spawn`
//     call, each one the root of a whole tree of work that then spreads through the deques. The
//     lock is taken a few times per top-level operation, not per fine-grained job.
//   * The path every idle worker runs on every round is "is the injector empty?". That is two
//     atomic loads (HEAD, TAIL) and never touches the lock, so idle workers do not fight over
//     the lock's cache line.
//   * Thieves never block: `injectorSteal` only try-locks and answers RETRY when the lock is
//     busy, like a lost cmpxchg in the deque, so a worker is never parked inside a steal.
//   * Pushers hold the lock for a few stores (plus, rarely, a growth copy); the raw lock spins
//     before it sleeps, and a push never waits for a consumer (the queue is unbounded).
// A lock-free list (crossbeam's Injector) would save the lock on these rare operations at the
// cost of ~300 lines of block and slot-state protocol; the channel list flavor shows that cost.
//
// Injector header (one heap block, I_SIZE bytes):
//
//   0       4        8               64       68
//   +-------+--------+---- ... ------+--------+--------+------------
//   | LOCK  | BUFFER |  (padding)    | HEAD   | TAIL   |
//   | raw   | u32    |               | i32    | i32    |
//   +-------+--------+---- ... ------+--------+--------+------------
//   LOCK    raw lock (sync/rawlock.ts) guarding BUFFER, the ring's slots, and writes of HEAD/TAIL
//   BUFFER  ring { CAP u32, pad u32, CAP x u64 job }, CAP a power of two; job i in slot i & (CAP-1)
//   HEAD    index of the oldest job; TAIL one past the newest. Written under LOCK with SeqCst
//           stores, read without it by len / isEmpty (a snapshot, like every len of a queue).
import { load32, store32, cas32 } from "../sync/atomic";
import { rawLock, rawUnlock } from "../sync/rawlock";
import { malloc, free } from "../heap/index";
import { setTaken } from "./job";
import { SUCCESS, EMPTY, RETRY, OUT_OF_MEMORY, FULL } from "../layout";

export const I_LOCK: usize = 0;
export const I_BUFFER: usize = 4;
export const I_HEAD: usize = 64;
export const I_TAIL: usize = 68;
export const I_SIZE: usize = 128;

const R_CAP: usize = 0;
const R_SLOTS: usize = 8;
const INJECTOR_MIN_CAP: u32 = 16;
export const INJECTOR_MAX_CAP: u32 = 1 << 24;

// Under LOCK only: BUFFER and the ring are then ours, so plain accesses are safe.
// @ts-ignore: decorator
@inline function slot(ring: usize, i: i32): usize {
  return ring + R_SLOTS + ((<usize>i & (<usize>load<u32>(ring + R_CAP) - 1)) << 3);
}

function ringNew(cap: u32): usize {
  const ring = malloc(R_SLOTS + (<usize>cap << 3));
  if (ring != 0) store<u32>(ring + R_CAP, cap); // private until stored in BUFFER (under LOCK)
  return ring;
}

/** A new empty injector; 0 if out of memory. */
export function injectorNew(): usize {
  const q = malloc(I_SIZE);
  if (q == 0) return 0;
  const ring = ringNew(INJECTOR_MIN_CAP);
  if (ring == 0) { free(q); return 0; }
  memory.fill(q, 0, I_SIZE); // plain: private until its pointer is handed out
  store<u32>(q + I_BUFFER, <u32>ring);
  return q;
}

/** Frees the injector and its ring (jobs still inside are dropped: the pool drains it first). */
export function injectorFree(q: usize): void {
  free(<usize>load32(q + I_BUFFER));
  free(q);
}

/** Any thread. Appends `job`: SUCCESS, or OUT_OF_MEMORY / FULL when the ring cannot grow. */
export function injectorPush(q: usize, job: u64): i32 {
  rawLock(q + I_LOCK);
  const h = load32(q + I_HEAD);
  const t = load32(q + I_TAIL);
  let ring = <usize>load32(q + I_BUFFER);
  if (t - h >= <i32>load<u32>(ring + R_CAP)) {
    ring = injectorGrowCold(q, ring, h, t);
    if (ring <= <usize>FULL) { rawUnlock(q + I_LOCK); return <i32>ring; }
  }
  store<u64>(slot(ring, t), job);
  // SeqCst: a lock-free reader that sees the new TAIL (isEmpty) will find the job once it locks.
  store32(q + I_TAIL, t + 1);
  rawUnlock(q + I_LOCK);
  return SUCCESS;
}

/** Under LOCK: doubles the ring (the old one is freed at once: only lock holders read rings). Returns the new ring, or an error code (< 16). */
function injectorGrowCold(q: usize, old: usize, h: i32, t: i32): usize {
  const cap = load<u32>(old + R_CAP);
  if (cap >= INJECTOR_MAX_CAP) return <usize>FULL;
  const ring = ringNew(cap << 1);
  if (ring == 0) return <usize>OUT_OF_MEMORY;
  for (let i = h; i != t; i++) store<u64>(slot(ring, i), load<u64>(slot(old, i)));
  store32(q + I_BUFFER, <i32>ring);
  free(old);
  return ring;
}

/**
 * Any thread. Takes the oldest job: SUCCESS (in `taken()`), EMPTY, or RETRY when another thread
 * holds the lock (a thief never blocks: it goes on searching and comes back).
 */
// @ts-ignore: decorator
@inline export function injectorSteal(q: usize): i32 {
  // Lock-free fast path: nothing to take (the common answer for an idle worker).
  if (load32(q + I_HEAD) == load32(q + I_TAIL)) return EMPTY;
  return injectorStealCold(q);
}

function injectorStealCold(q: usize): i32 {
  if (cas32(q + I_LOCK, 0, 1) != 0) return RETRY;
  const h = load32(q + I_HEAD);
  let r = EMPTY;
  if (load32(q + I_TAIL) != h) { // re-check under the lock: another thief may have emptied it
    setTaken(load<u64>(slot(<usize>load32(q + I_BUFFER), h)));
    store32(q + I_HEAD, h + 1);
    r = SUCCESS;
  }
  rawUnlock(q + I_LOCK); // wakes a pusher that slept on the lock (state 2)
  return r;
}

/** Jobs queued (a snapshot). */
export function injectorLen(q: usize): i32 {
  const h = load32(q + I_HEAD);
  return load32(q + I_TAIL) - h;
}

/** Whether the queue is empty (two atomic loads, no lock): what idle workers poll. */
// @ts-ignore: decorator
@inline export function injectorIsEmpty(q: usize): bool {
  return load32(q + I_HEAD) == load32(q + I_TAIL);
}
