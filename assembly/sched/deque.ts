// Chase-Lev work-stealing deque of job references (job.ts), growable, as in Lê, Pop, Cohen and
// Zappa Nardelli, "Correct and Efficient Work-Stealing for Weak Memory Models" (PPoPP 2013) —
// the algorithm crossbeam-deque's `Worker` / `Stealer` implement.
//
// One owner thread pushes and pops at the BOTTOM end (LIFO: the job it pushed last, still hot in
// cache, runs first); any number of thieves steal at the TOP end (FIFO: the oldest job, usually
// the biggest piece of a divided task). Only the last element is contended, and only the owner's
// pop of that element and the thieves race for it, with a cmpxchg on TOP.
//
// Deque header (one heap block, D_SIZE bytes):
//
//   0        4                64        68        72        76
//   +--------+----- ... ------+---------+---------+---------+-----------
//   | TOP    |   (padding)    | BOTTOM  | BUFFER  | RETIRED |
//   | i32    |                | i32     | u32 ptr | u32 ptr |
//   +--------+----- ... ------+---------+---------+---------+-----------
//   TOP      index of the oldest job; only ever incremented, by a cmpxchg (thieves, and the owner
//            when it takes the last job). Thieves hammer it: it has its own 64-byte line.
//   BOTTOM   index one past the newest job; written by the owner only.
//   BUFFER   the current ring; replaced (doubled) by the owner only.
//   RETIRED  singly linked list of the rings BUFFER replaced (owner only), freed by dequeFree.
//
// Ring buffer (one heap block, 8 + 8 * CAP bytes):
//
//   0       4        8                  16                        8 + 8*CAP
//   +-------+--------+------------------+---- ... ----------------+
//   | CAP   | NEXT   | slot 0 (u64 job) | slot 1 .. slot CAP-1     |
//   +-------+--------+------------------+---- ... ----------------+
//   CAP      power of two, written before the ring is published, never changed
//   NEXT     link in the RETIRED list (written by the owner when the ring is retired)
//   job index i lives in slot (i & (CAP - 1))
//
// Indices are i32 that wrap: only differences `BOTTOM - TOP` are used, and they stay far below
// 2^31, so wrapping after 2^32 pushes is harmless.
//
// Memory ordering. The paper needs acquire/release accesses plus two seq_cst fences (pop: between
// the BOTTOM store and the TOP load; steal: between the TOP load and the BOTTOM load). Every wasm
// atomic is sequentially consistent (DESIGN.md fact 4), so the SeqCst store32/load32 pairs below
// are already ordered as the fences demand, and each SeqCst store releases the plain slot writes
// before it to whoever reads the stored value.
//
// Reclamation of old rings. After a growth a thief may still be reading the old ring (it loaded
// BUFFER just before the owner replaced it), so the old ring cannot be freed at once: freed and
// reused, its slot could hold garbage while the thief's cmpxchg on TOP still succeeds. Weft keeps
// retired rings on the deque's RETIRED list and frees them in dequeFree. That costs no atomic on
// any path (crossbeam's epochs cost a pin per steal) and bounds the waste: the rings double, so
// all retired rings together are smaller than the current one. A retired ring is never written
// again except its NEXT word, which no thief reads.
import { load32, store32, cas32 } from "../sync/atomic";
import { malloc, free } from "../heap/index";
import { setTaken, jobIsJs } from "./job";
import { SUCCESS, EMPTY, RETRY, OUT_OF_MEMORY, FULL } from "../layout";

export const D_TOP: usize = 0;
export const D_BOTTOM: usize = 64;
export const D_BUFFER: usize = 68;
export const D_RETIRED: usize = 72;
export const D_SIZE: usize = 128;

const R_CAP: usize = 0;
const R_NEXT: usize = 4;
const R_SLOTS: usize = 8;

/** Smallest and largest ring (slots). The largest is 128 MiB of ring, far beyond any real use. */
export const DEQUE_MIN_CAP: u32 = 2;
export const DEQUE_MAX_CAP: u32 = 1 << 24;

// @ts-ignore: decorator
@inline function slot(ring: usize, i: i32): usize {
  // CAP is written before the ring is published (and never again): a plain read is safe.
  return ring + R_SLOTS + ((<usize>i & (<usize>load<u32>(ring + R_CAP) - 1)) << 3);
}

function ringNew(cap: u32): usize {
  const ring = malloc(R_SLOTS + (<usize>cap << 3));
  if (ring == 0) return 0;
  // Plain stores: the ring is private until BUFFER publishes it.
  store<u32>(ring + R_CAP, cap);
  store<u32>(ring + R_NEXT, 0);
  return ring;
}

/** A new empty deque with room for `cap` jobs before its first growth (rounded up to a power of two); 0 if out of memory. */
export function dequeNew(cap: u32): usize {
  let c = DEQUE_MIN_CAP;
  while (c < cap && c < DEQUE_MAX_CAP) c <<= 1;
  const d = malloc(D_SIZE);
  if (d == 0) return 0;
  const ring = ringNew(c);
  if (ring == 0) { free(d); return 0; }
  // Plain stores: the deque is private until its pointer is handed to other threads (and that
  // hand-off, through the heap or a channel, is itself a SeqCst publication).
  memory.fill(d, 0, D_SIZE);
  store<u32>(d + D_BUFFER, <u32>ring);
  return d;
}

/**
 * Frees the deque, its ring and every retired ring. The pool calls it only once no thread can
 * touch the deque any more (all workers have left their loops): nothing else makes this safe.
 */
export function dequeFree(d: usize): void {
  free(<usize>load32(d + D_BUFFER));
  let r = <usize>load32(d + D_RETIRED);
  while (r != 0) {
    const next = <usize>load<u32>(r + R_NEXT); // owner-only word, and nobody else is left
    free(r);
    r = next;
  }
  free(d);
}

// ---- owner: push / pop ----------------------------------------------------------------------

/** Owner only. Pushes `job` at the bottom: SUCCESS, or OUT_OF_MEMORY / FULL when growth fails. */
// @ts-ignore: decorator
@inline export function dequePush(d: usize, job: u64): i32 {
  const b = load32(d + D_BOTTOM);
  const t = load32(d + D_TOP);
  const ring = <usize>load32(d + D_BUFFER);
  // Full when the jobs [t, b) fill the ring (a stale, smaller t only makes us grow early).
  if (b - t >= <i32>load<u32>(ring + R_CAP)) return dequePushCold(d, job, b, t);
  // Plain store: slot b is outside [TOP, BOTTOM), so no thief reads it until the BOTTOM store
  // below publishes it (a thief reading a stale index there is doomed to fail its cmpxchg).
  store<u64>(slot(ring, b), job);
  store32(d + D_BOTTOM, b + 1); // SeqCst: releases the slot write to thieves loading BOTTOM
  return SUCCESS;
}

function dequePushCold(d: usize, job: u64, b: i32, t: i32): i32 {
  const old = <usize>load32(d + D_BUFFER);
  const cap = load<u32>(old + R_CAP);
  if (cap >= DEQUE_MAX_CAP) return FULL;
  const ring = ringNew(cap << 1);
  if (ring == 0) return OUT_OF_MEMORY;
  // Copy the live jobs [t, b) into the same indices of the new ring. Thieves keep taking jobs
  // from the old ring meanwhile (TOP moves on); the copies below t' = TOP are then simply dead.
  // Plain accesses: only the owner writes slots, and the new ring is not yet published.
  for (let i = t; i != b; i++) store<u64>(slot(ring, i), load<u64>(slot(old, i)));
  store<u64>(slot(ring, b), job);
  // Publish the new ring, then the new job. A thief that still loads the old ring finds in it
  // every job it could win: the old ring is never written again (retired, not freed).
  store32(d + D_BUFFER, <i32>ring);
  store<u32>(old + R_NEXT, <u32>load32(d + D_RETIRED)); // no thief reads NEXT
  store32(d + D_RETIRED, <i32>old);
  store32(d + D_BOTTOM, b + 1);
  return SUCCESS;
}

/**
 * Owner only. Pops the newest job: SUCCESS (the job is in `taken()`) or EMPTY. Never RETRY: when
 * the owner loses the race for the last job to a thief, the deque is empty.
 */
// @ts-ignore: decorator
@inline export function dequePop(d: usize): i32 {
  // 0. Empty already? Only the owner adds jobs and TOP only grows, so an empty deque stays
  //    empty until we push: answer without the two SeqCst stores below (idle rounds pop a lot).
  const b0 = load32(d + D_BOTTOM); // only the owner (we) writes BOTTOM: it cannot change under us
  if (b0 - load32(d + D_TOP) <= 0) return EMPTY;
  // 1. Reserve the bottom job by moving BOTTOM down first: from here on a thief that reads
  //    BOTTOM sees the job gone. The SeqCst store followed by the SeqCst load of TOP is the
  //    paper's seq_cst fence: no thief's TOP increment can hide from us and vice versa.
  const b = b0 - 1;
  const ring = <usize>load32(d + D_BUFFER);
  store32(d + D_BOTTOM, b);
  const t = load32(d + D_TOP);
  const left = b - t;
  // 2. Already empty (t == b + 1): put BOTTOM back.
  if (left < 0) { store32(d + D_BOTTOM, b + 1); return EMPTY; }
  // Plain read: the owner wrote slot b itself.
  const job = load<u64>(slot(ring, b));
  // 3. More than one job: thieves take only index TOP <= t < b, so job b is ours alone.
  if (left > 0) { setTaken(job); return SUCCESS; }
  return dequePopLastCold(d, b, t, job);
}

/** The last job (t == b): race the thieves for it with the same cmpxchg on TOP they use. */
function dequePopLastCold(d: usize, b: i32, t: i32, job: u64): i32 {
  const won = cas32(d + D_TOP, t, t + 1) == t;
  // Either way the deque is now empty with TOP = t + 1: BOTTOM = b + 1 = t + 1 says so.
  store32(d + D_BOTTOM, b + 1);
  if (!won) return EMPTY;
  setTaken(job);
  return SUCCESS;
}

// ---- thieves: steal -------------------------------------------------------------------------

/**
 * Any thread. Steals the oldest job: SUCCESS (in `taken()`), EMPTY, or RETRY when another thief
 * or the owner took that job first (the deque may still hold others: try again).
 */
// @ts-ignore: decorator
@inline export function dequeSteal(d: usize): i32 {
  // 1. TOP, then BOTTOM: SeqCst loads, so they are ordered as the paper's fence requires.
  const t = load32(d + D_TOP);
  const b = load32(d + D_BOTTOM);
  if (b - t <= 0) return EMPTY;
  // 2. Read job t from the ring BUFFER names now. It was published (BOTTOM > t) before we read
  //    BOTTOM, so this ring or an older one into which it was copied holds it — and this load
  //    comes after, so the ring is at least that new. Plain read: if the owner has meanwhile
  //    recycled slot t for job t + CAP, TOP has passed t and the cmpxchg below fails, so a torn
  //    or stale value is never returned. Retired rings are not freed (header), so it is mapped.
  const ring = <usize>load32(d + D_BUFFER);
  const job = load<u64>(slot(ring, t));
  // 3. Claim it: exactly one of the thieves (and the owner popping the last job) moves TOP past t.
  if (cas32(d + D_TOP, t, t + 1) != t) return RETRY;
  setTaken(job);
  return SUCCESS;
}

/** Whether the deque is empty (a snapshot; two atomic loads): what a pusher tells sleepNewJobs. */
// @ts-ignore: decorator
@inline export function dequeIsEmpty(d: usize): bool {
  return load32(d + D_BOTTOM) - load32(d + D_TOP) <= 0;
}

/** Jobs in the deque (a snapshot: other threads may change it at once). */
export function dequeLen(d: usize): i32 {
  const t = load32(d + D_TOP);
  const n = load32(d + D_BOTTOM) - t;
  return n > 0 ? n : 0;
}

/** Current ring capacity (for tests and stats). */
export function dequeCapacity(d: usize): u32 {
  return load<u32>(<usize>load32(d + D_BUFFER) + R_CAP); // CAP: immutable once published
}

/**
 * Like dequeSteal, but only a wasm job (job.ts): EMPTY when the oldest job is a JS job. For a
 * worker waiting inside a wasm join, which cannot hand a JS job to JS from the middle of its wasm
 * frames. Reading the slot before the cmpxchg is dequeSteal's step 2: a stale value is never
 * returned (the cmpxchg then fails), so refusing on it only costs a retry later.
 */
export function dequeStealWasm(d: usize): i32 {
  const t = load32(d + D_TOP);
  const b = load32(d + D_BOTTOM);
  if (b - t <= 0) return EMPTY;
  const ring = <usize>load32(d + D_BUFFER);
  const job = load<u64>(slot(ring, t));
  if (jobIsJs(job)) return EMPTY;
  if (cas32(d + D_TOP, t, t + 1) != t) return RETRY;
  setTaken(job);
  return SUCCESS;
}
