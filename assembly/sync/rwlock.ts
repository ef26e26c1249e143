// RwLock: a futex reader-writer lock without writer starvation, after Rust std's futex RwLock
// (library/std/src/sys/sync/rwlock/futex.rs), plus an owner, a poison flag, the held list
// membership of the write side, and deadlines.
//
//   +0  object header (tag TAG_RWLOCK, gen, refs, aux = value kind)
//   +16 STATE      the lock word (bits below)
//   +20 OWNER      agent holding the write lock, 0 if none (written by the writer only)
//   +24 POISON     1 once a writer panicked; readers never poison (Rust semantics)
//   +28 NEXT_HELD  link in the writer's held list (held.ts); read locks are not listed
//   +32 VALUE      the protected value (16 bytes, same slot as Mutex: see ts/value.ts)
//   +48 NOTIFY     writer-notify counter: writers sleep on it, wakeWriter bumps it
//   +52 ASYNC_W    async write locks (the host's Atomics.waitAsync on NOTIFY) announced
//
// STATE bits:
//   bits 0..29  MASK      number of readers, or MASK itself (WRITE_LOCKED) when write-locked
//   bit 30      READERS_WAITING   readers sleep (or are about to) on STATE
//   bit 31      WRITERS_WAITING   writers sleep (or are about to) on NOTIFY
//
//   state                    meaning                                   who may enter
//   0                        free                                      anyone
//   n (1..MASK-1)            n readers                                 readers, unless a *_WAITING bit
//   WRITE_LOCKED             one writer                                nobody
//   any | WRITERS_WAITING    a writer waits: new readers queue behind  (no writer starvation)
//   any | READERS_WAITING    readers sleep until the lock is free and no writer is preferred
//
// Writers are preferred: a reader does not enter while WRITERS_WAITING is set, so a steady flow
// of readers cannot starve a writer. When the lock becomes free with both kinds waiting, one
// writer is woken and the readers keep waiting (READERS_WAITING stays set) until that writer
// unlocks; if no writer was actually asleep, the readers are woken instead (wakeWriterOrReaders).
//
// Left out from Rust's version: `downgrade` (so woken readers need no "after wake-up" rule) and
// the reader-overflow panic (2^30 - 2 readers at once cannot happen with at most 128 agents,
// short of ~10^9 pending async readers).
//
// OWNER, POISON and the held-list link are plain loads and stores, as in Mutex: only the writer
// writes them, and the STATE atomics that begin and end its holding order them for the next one.
// A thread reading OWNER without holding the lock can never see its own agent number there.
//
// Async writers (not in Rust std): Atomics.notify wakes the waiters of a word in FIFO order over
// blocking and async ones alike, and an async waiter acts on its wake-up only when its thread's
// event loop runs, which may be much later (that thread may be blocked in something else). So
// wakeWriter wakes 1 + ASYNC_W writers, reaching a blocked writer behind the parked async ones
// (an async write step counts itself before the host queues its wait, and withdraws after the
// wait ended: every async writer queued before wakeWriter's read is counted). And a hand-over
// that may have woken only async writers (no more woke than were counted) also wakes the
// readers, as when no writer was asleep: a free lock is not kept for a writer that may not come
// for long. Readers are always woken all together, so they need no count.
//
// Deadlines (not in Rust std): a waiter that gives up leaves its *_WAITING bit set. Such a stale
// bit is harmless: bits are only ever cleared by whoever frees the lock, whose wake-up falls back
// to readers when no writer was asleep. A writer gives up only while the lock is held (its last
// attempt takes a free lock), so the holder's unlock always passes the wake-up on.
import { cas32, load32, store32, add32, sub32 } from "./atomic";
import { futexWait, futexWake, spin, TIMED_OUT } from "./futex";
import { heldPush, heldRemove } from "./held";
import { AGENT, AGENT_REC } from "../engine/local";
import {
  A_WAITING, SUCCESS, WOULD_BLOCK, TIMEOUT, POISONED, NOT_OWNER, NOT_LOCKED, WOULD_DEADLOCK,
} from "../layout";

export const RW_STATE: usize = 16;
export const RW_OWNER: usize = 20;
export const RW_POISON: usize = 24;
export const RW_NEXT_HELD: usize = 28;
export const RW_VALUE: usize = 32;
export const RW_VALUE2: usize = 40;
export const RW_NOTIFY: usize = 48;
export const RW_ASYNC_W: usize = 52;
export const RWLOCK_SIZE: usize = 56;

const READ_LOCKED: i32 = 1;
const MASK: i32 = (1 << 30) - 1;
const WRITE_LOCKED: i32 = MASK;
const MAX_READERS: i32 = MASK - 1;
const READERS_WAITING: i32 = 1 << 30;
const WRITERS_WAITING: i32 = 1 << 31;

// @ts-ignore: decorator
@inline function isUnlocked(s: i32): bool { return (s & MASK) == 0; }
// @ts-ignore: decorator
@inline function isWriteLocked(s: i32): bool { return (s & MASK) == WRITE_LOCKED; }
// @ts-ignore: decorator
@inline function readersWaiting(s: i32): bool { return (s & READERS_WAITING) != 0; }
// @ts-ignore: decorator
@inline function writersWaiting(s: i32): bool { return (s & WRITERS_WAITING) != 0; }
/** A reader may enter: below the reader limit (which also excludes a writer), and nobody queued. */
// @ts-ignore: decorator
@inline function isReadLockable(s: i32): bool {
  return (s & MASK) < MAX_READERS && (s & (READERS_WAITING | WRITERS_WAITING)) == 0;
}

/** Value a step left for the host to wait on (thread-local: wasm globals are per instance). */
let stepWaitValue: i32 = 0;
export function rwlockStepWaitValue(): i32 { return stepWaitValue; }

// ---- read side ------------------------------------------------------------------------------

/** Blocks until read-locked or `deadline`: SUCCESS, POISONED (held anyway), TIMEOUT, WOULD_DEADLOCK. */
// @ts-ignore: decorator
@inline export function rwlockRead(l: usize, deadline: f64): i32 {
  const s = load32(l + RW_STATE);
  if (isReadLockable(s) && cas32(l + RW_STATE, s, s + READ_LOCKED) == s) return readAcquired(l);
  return rwlockReadCold(l, deadline);
}

/** One attempt: SUCCESS, POISONED (held anyway) or WOULD_BLOCK (write-locked or a writer queued). */
export function rwlockTryRead(l: usize): i32 {
  let s = load32(l + RW_STATE);
  while (isReadLockable(s)) {
    const seen = cas32(l + RW_STATE, s, s + READ_LOCKED);
    if (seen == s) return readAcquired(l);
    s = seen;
  }
  return WOULD_BLOCK;
}

/**
 * One step of an asynchronous read lock: takes the lock if a reader may enter, else announces a
 * sleeping reader (READERS_WAITING) and returns WOULD_BLOCK; the host then awaits
 * `Atomics.waitAsync(STATE, rwlockStepWaitValue())`, exactly like the blocking path's futexWait.
 */
export function rwlockReadStep(l: usize): i32 {
  const state = l + RW_STATE;
  let s = load32(state);
  for (;;) {
    if (isReadLockable(s)) {
      const seen = cas32(state, s, s + READ_LOCKED);
      if (seen == s) return readAcquired(l);
      s = seen;
      continue;
    }
    if (!readersWaiting(s)) {
      const seen = cas32(state, s, s | READERS_WAITING);
      if (seen != s) { s = seen; continue; }
    }
    stepWaitValue = s | READERS_WAITING;
    return WOULD_BLOCK;
  }
  return WOULD_BLOCK; // not reached
}

/** Releases a read lock: SUCCESS, NOT_LOCKED (no reader holds it) or NOT_OWNER (a writer does). */
export function rwlockReadUnlock(l: usize): i32 {
  const state = l + RW_STATE;
  let s = load32(state);
  // A cmpxchg loop rather than Rust's fetch_sub: a stray unlock must not corrupt the count.
  for (;;) {
    if (isUnlocked(s)) return NOT_LOCKED;
    if (isWriteLocked(s)) return NOT_OWNER;
    const seen = cas32(state, s, s - READ_LOCKED);
    if (seen == s) break;
    s = seen;
  }
  s -= READ_LOCKED;
  // Readers only wait on a read-locked lock behind a writer, so the last reader out hands over
  // only when a writer waits.
  if (isUnlocked(s) && writersWaiting(s)) wakeWriterOrReaders(l, s);
  return SUCCESS;
}

// @ts-ignore: decorator
@inline function readAcquired(l: usize): i32 {
  return load<u32>(l + RW_POISON) != 0 ? POISONED : SUCCESS;
}

function rwlockReadCold(l: usize, deadline: f64): i32 {
  const state = l + RW_STATE;
  // This thread's own write lock would never end while it waits here.
  if (load<u32>(l + RW_OWNER) == AGENT) return WOULD_DEADLOCK;
  let s = spinRead(state);
  let timedOut = false;
  store32(AGENT_REC + A_WAITING, <i32>l); // for deadlock reports
  for (;;) {
    if (isReadLockable(s)) {
      const seen = cas32(state, s, s + READ_LOCKED);
      if (seen == s) break;
      s = seen;
      continue;
    }
    // Readers are woken all at once, so one that gives up strands nobody.
    if (timedOut) { store32(AGENT_REC + A_WAITING, 0); return TIMEOUT; }
    // Announce a sleeping reader before sleeping: whoever clears the bit wakes every reader.
    if (!readersWaiting(s)) {
      const seen = cas32(state, s, s | READERS_WAITING);
      if (seen != s) { s = seen; continue; }
    }
    // Pairs with futexWake(STATE, all) in wakeWriterOrReaders (which clears READERS_WAITING).
    if (futexWait(state, s | READERS_WAITING, deadline) == TIMED_OUT) timedOut = true;
    s = spinRead(state);
  }
  store32(AGENT_REC + A_WAITING, 0);
  return readAcquired(l);
}

function spinRead(state: usize): i32 {
  let s = load32(state);
  for (let r = 0; !(!isWriteLocked(s) || readersWaiting(s) || writersWaiting(s)) && spin(r); r++) {
    s = load32(state);
  }
  return s;
}

// ---- write side -----------------------------------------------------------------------------

/** Blocks until write-locked or `deadline`: SUCCESS, POISONED (held anyway), TIMEOUT, WOULD_DEADLOCK. */
// @ts-ignore: decorator
@inline export function rwlockWrite(l: usize, deadline: f64): i32 {
  if (cas32(l + RW_STATE, 0, WRITE_LOCKED) == 0) return writeAcquired(l);
  return rwlockWriteCold(l, deadline);
}

/** One attempt: SUCCESS, POISONED (held anyway) or WOULD_BLOCK. Takes a free lock even if others queue. */
export function rwlockTryWrite(l: usize): i32 {
  let s = load32(l + RW_STATE);
  while (isUnlocked(s)) {
    const seen = cas32(l + RW_STATE, s, s + WRITE_LOCKED);
    if (seen == s) return writeAcquired(l);
    s = seen;
  }
  return WOULD_BLOCK;
}

/**
 * One step of an asynchronous write lock: takes a free lock, else announces a waiting writer and
 * returns WOULD_BLOCK; the host then awaits `Atomics.waitAsync(NOTIFY, rwlockStepWaitValue())`
 * and calls rwlockWriteDone once that wait ended (WOULD_BLOCK counted it in ASYNC_W).
 * WOULD_BLOCK is returned only while the lock is held, so a host that gives up never strands
 * the waiters that the holder's unlock will wake.
 */
export function rwlockWriteStep(l: usize): i32 {
  const state = l + RW_STATE;
  let s = load32(state);
  for (;;) {
    if (isUnlocked(s)) {
      // Keep WRITERS_WAITING: other async or blocked writers may still sleep on NOTIFY.
      const seen = cas32(state, s, s | WRITE_LOCKED | WRITERS_WAITING);
      if (seen == s) return writeAcquired(l);
      s = seen;
      continue;
    }
    if (!writersWaiting(s)) {
      const seen = cas32(state, s, s | WRITERS_WAITING);
      if (seen != s) { s = seen; continue; }
    }
    // Read NOTIFY before re-checking STATE, so a wake-up between the two cannot be missed.
    const seq = load32(l + RW_NOTIFY);
    s = load32(state);
    if (isUnlocked(s) || !writersWaiting(s)) continue;
    stepWaitValue = seq;
    add32(l + RW_ASYNC_W, 1); // before the host's waitAsync queues it: see the header
    return WOULD_BLOCK;
  }
  return WOULD_BLOCK; // not reached
}

/** Withdraws the async writer counted by a WOULD_BLOCK rwlockWriteStep. */
export function rwlockWriteDone(l: usize): void { sub32(l + RW_ASYNC_W, 1); }

/** Releases the write lock: SUCCESS, NOT_LOCKED or NOT_OWNER (another thread holds it). */
export function rwlockWriteUnlock(l: usize): i32 {
  // OWNER is only written by the writer, so reading our own agent back proves we hold it.
  if (load<u32>(l + RW_OWNER) != AGENT) {
    return isUnlocked(load32(l + RW_STATE)) ? NOT_LOCKED : NOT_OWNER;
  }
  rwlockWriteRelease(l);
  return SUCCESS;
}

/** Drops the write lock on behalf of its holder (also used by panic cleanup). */
export function rwlockWriteRelease(l: usize): void {
  heldRemove(l);
  store<u32>(l + RW_OWNER, 0);
  const s = sub32(l + RW_STATE, WRITE_LOCKED) - WRITE_LOCKED;
  if (readersWaiting(s) || writersWaiting(s)) wakeWriterOrReaders(l, s);
}

// @ts-ignore: decorator
@inline function writeAcquired(l: usize): i32 {
  store<u32>(l + RW_OWNER, AGENT);
  heldPush(l);
  return load<u32>(l + RW_POISON) != 0 ? POISONED : SUCCESS;
}

function rwlockWriteCold(l: usize, deadline: f64): i32 {
  const state = l + RW_STATE;
  if (load<u32>(l + RW_OWNER) == AGENT) return WOULD_DEADLOCK;
  let s = spinWrite(state);
  let otherWriters = 0;
  let timedOut = false;
  store32(AGENT_REC + A_WAITING, <i32>l);
  for (;;) {
    if (isUnlocked(s)) {
      // Once we slept, others may sleep too and our waker cleared the bit: keep it set.
      const seen = cas32(state, s, s | WRITE_LOCKED | otherWriters);
      if (seen == s) break;
      s = seen;
      continue;
    }
    // Give up only while the lock is held: its holder's unlock passes every wake-up on.
    if (timedOut) { store32(AGENT_REC + A_WAITING, 0); return TIMEOUT; }
    if (!writersWaiting(s)) {
      const seen = cas32(state, s, s | WRITERS_WAITING);
      if (seen != s) { s = seen; continue; }
    }
    otherWriters = WRITERS_WAITING;
    // Read NOTIFY before re-checking STATE, so a wake-up between the two cannot be missed.
    const seq = load32(l + RW_NOTIFY);
    s = load32(state);
    if (isUnlocked(s) || !writersWaiting(s)) continue;
    // Pairs with the bump + futexWake(NOTIFY, 1) in wakeWriter.
    if (futexWait(l + RW_NOTIFY, seq, deadline) == TIMED_OUT) timedOut = true;
    s = spinWrite(state);
  }
  store32(AGENT_REC + A_WAITING, 0);
  return writeAcquired(l);
}

function spinWrite(state: usize): i32 {
  let s = load32(state);
  for (let r = 0; !(isUnlocked(s) || writersWaiting(s)) && spin(r); r++) s = load32(state);
  return s;
}

// ---- hand-over ------------------------------------------------------------------------------

/**
 * Called by whoever freed the lock (`s` unlocked, some *_WAITING bit set). Writers lock a free
 * lock regardless of the bits, so only READERS_WAITING can appear meanwhile; if the lock is taken
 * meanwhile, its new holder does the hand-over at its own unlock.
 */
function wakeWriterOrReaders(l: usize, s: i32): void {
  const state = l + RW_STATE;
  // Only writers wait: wake one.
  if (s == WRITERS_WAITING) {
    const seen = cas32(state, s, 0);
    if (seen == s) { wakeWriter(l); return; }
    s = seen; // readers may wait now too: go on below
  }
  // Both wait: wake one writer and leave the readers waiting behind it.
  if (s == (READERS_WAITING | WRITERS_WAITING)) {
    if (cas32(state, s, READERS_WAITING) != s) return; // locked meanwhile: not ours any more
    if (wakeWriter(l)) return;
    // No blocked writer was surely asleep (it timed out, or it spins, or only async writers woke,
    // whose threads may be busy): we cannot be sure a writer will come soon, so wake the readers
    // too.
    s = READERS_WAITING;
  }
  // Only readers wait: wake them all. Pairs with the futexWait(STATE) of rwlockReadCold and the
  // host's waitAsync after rwlockReadStep.
  if (s == READERS_WAITING && cas32(state, s, 0) == s) futexWake(state, -1);
}

/**
 * Bumps NOTIFY and wakes one blocked writer and the async writers that may be queued before it;
 * true if a blocked writer surely woke (more woke than async writers were counted).
 */
function wakeWriter(l: usize): bool {
  add32(l + RW_NOTIFY, 1);
  // Pairs with the add32 in rwlockWriteStep (before the host's waitAsync): see the header.
  const parked = load32(l + RW_ASYNC_W);
  return futexWake(l + RW_NOTIFY, 1 + parked) > parked;
}
