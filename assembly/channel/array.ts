// Array flavor: a bounded MPMC ring buffer with per-slot stamps (Dmitry Vyukov's bounded MPMC
// queue, as crossbeam-channel's flavors/array.rs uses it).
//
//   C_FLAVOR_FIELDS (64)   +64       +128      +192
//   ---+--------+----------+---------+---------+-------------------------------------------
//   ...| ONE_LAP|          | HEAD    | TAIL    | slot 0 {STAMP i64, VALUE f64} | slot 1 | ...
//   ---+--------+----------+---------+---------+-------------------------------------------
//   HEAD and TAIL sit on their own 64-byte lines (crossbeam pads them the same way), so senders
//   and receivers do not fight over one cache line.
//
// HEAD and TAIL are 64-bit positions `lap * ONE_LAP + index` (index < CAP). ONE_LAP is the next
// power of two above CAP, doubled: the bit in between, MARK = ONE_LAP / 2, is never part of an
// index, and TAIL carries it once the channel is disconnected. 64-bit laps never wrap in practice,
// so the stamp comparisons below cannot be fooled by a lap count coming round (ABA).
//
// Each slot's STAMP says what the slot is waiting for:
//   STAMP == pos          free for the sender whose TAIL is `pos`
//   STAMP == pos + 1      holds the message for the receiver whose HEAD is `pos`
// A sender that claims slot `pos` writes VALUE, then STAMP = pos + 1; the receiver that claims it
// reads VALUE, then STAMP = pos + ONE_LAP (free for the sender one lap later). VALUE is a plain
// access: the claim (the HEAD/TAIL cmpxchg) gives one thread exclusive use of the slot, and the
// SeqCst STAMP store/load pair orders the VALUE write before the VALUE read.
//
// Initially HEAD = TAIL = 0 and slot i has STAMP = i (lap 0, free).
import { load64, store64, cas64 } from "../sync/atomic";
import { spin, TIMED_OUT } from "../sync/futex";
import { sleepPrepare, sleepWait, sleepDone, sleepPrepareAsync, sleepDoneAsync, wakeOne, wakeAll, wakeMany } from "./waker";
import { C_CAP, C_FLAVOR_FIELDS, C_SEND, C_RECV } from "./layout";
import { setReceived, getReceived } from "./received";
import { elemGet, elemSet, setBatchCode } from "./elems";
import { SUCCESS, FULL, EMPTY, DISCONNECTED, TIMEOUT, WOULD_BLOCK } from "../layout";

export const A_ONE_LAP: usize = C_FLAVOR_FIELDS;
export const A_HEAD: usize = C_FLAVOR_FIELDS + 64;
export const A_TAIL: usize = C_FLAVOR_FIELDS + 128;
export const A_SLOTS: usize = C_FLAVOR_FIELDS + 192;
export const SLOT_SIZE: usize = 16;
export const SLOT_STAMP: usize = 0;
export const SLOT_VALUE: usize = 8;
/** Largest capacity of a bounded channel (2^24 slots, 256 MiB of ring). */
export const ARRAY_MAX_CAP: u32 = 1 << 24;

/** Bytes of an array channel object of `cap` slots. */
export function arraySize(cap: u32): usize { return A_SLOTS + <usize>cap * SLOT_SIZE; }

/** Initialises a zeroed channel object (not yet shared: plain setup, published by the host). */
export function arrayInit(c: usize, cap: u32): void {
  let mark: i64 = 1;
  while (mark <= <i64>cap) mark <<= 1; // next power of two above CAP
  store64(c + A_ONE_LAP, mark << 1);
  for (let i: u32 = 0; i < cap; i++) store64(c + A_SLOTS + <usize>i * SLOT_SIZE + SLOT_STAMP, <i64>i);
}

// @ts-ignore: decorator
@inline function slotAt(c: usize, pos: i64, oneLap: i64): usize {
  return c + A_SLOTS + <usize>(pos & ((oneLap >> 1) - 1)) * SLOT_SIZE; // index bits of pos
}

/** The position after `pos`: the next index, or index 0 of the next lap. */
// @ts-ignore: decorator
@inline function nextPos(c: usize, pos: i64, oneLap: i64): i64 {
  const index = pos & ((oneLap >> 1) - 1);
  if (index + 1 < <i64><u32>load32cap(c)) return pos + 1;
  return (pos & ~(oneLap - 1)) + oneLap;
}

// CAP never changes after init; read through a plain load (it was written before publication).
// @ts-ignore: decorator
@inline function load32cap(c: usize): u32 { return load<u32>(c + C_CAP); }

/** One push into the ring: SUCCESS, FULL or DISCONNECTED. Waits only for a receiver mid-step. */
function ringPush(c: usize, value: f64): i32 {
  const oneLap = load64(c + A_ONE_LAP);
  const mark = oneLap >> 1;
  let tail = load64(c + A_TAIL);
  for (let r = 0; ; r++) {
    // 1. A marked tail means the receivers are gone (or the senders dropped): nothing can be sent.
    if ((tail & mark) != 0) return DISCONNECTED;
    const slot = slotAt(c, tail, oneLap);
    const stamp = load64(slot + SLOT_STAMP);
    if (stamp == tail) {
      // 2. The slot is free for this lap: claim it by moving TAIL on. Losing the cmpxchg means
      //    another sender claimed it first: retry with the tail it saw.
      const seen = cas64(c + A_TAIL, tail, nextPos(c, tail, oneLap));
      if (seen == tail) {
        // 3. The slot is ours: write the message, then publish it with the stamp `tail + 1`
        //    that the receiver at this position waits for.
        store<f64>(slot + SLOT_VALUE, value);
        store64(slot + SLOT_STAMP, tail + 1);
        return SUCCESS;
      }
      tail = seen;
    } else if (stamp + oneLap == tail + 1) {
      // 4. The slot still holds the message of the previous lap. If the head lags one full lap
      //    behind the tail as well, every slot is taken: the channel is full.
      const head = load64(c + A_HEAD);
      if (head + oneLap == tail) return FULL;
      // Otherwise a receiver has claimed that message and is reading it: give it a moment.
      spin(min(r, 63));
      tail = load64(c + A_TAIL);
    } else {
      // 5. Our tail is stale (another sender moved on): look again.
      spin(min(r, 63));
      tail = load64(c + A_TAIL);
    }
  }
  return FULL; // not reached
}

/** One pop from the ring: SUCCESS (value in received.ts), EMPTY or DISCONNECTED. Waits only for a sender mid-step. */
function ringPop(c: usize): i32 {
  const oneLap = load64(c + A_ONE_LAP);
  const mark = oneLap >> 1;
  let head = load64(c + A_HEAD);
  for (let r = 0; ; r++) {
    const slot = slotAt(c, head, oneLap);
    const stamp = load64(slot + SLOT_STAMP);
    if (head + 1 == stamp) {
      // 1. The slot holds the message for this position: claim it by moving HEAD on.
      const seen = cas64(c + A_HEAD, head, nextPos(c, head, oneLap));
      if (seen == head) {
        // 2. Ours: read the message, then free the slot for the sender one lap later.
        setReceived(load<f64>(slot + SLOT_VALUE));
        store64(slot + SLOT_STAMP, head + oneLap);
        return SUCCESS;
      }
      head = seen;
    } else if (stamp == head) {
      // 3. The slot waits for a sender of this lap. If the tail (mark aside) equals the head,
      //    nothing was sent: empty, or disconnected if the mark is set (buffered messages are
      //    always received first, so disconnection is only reported on an empty channel).
      const tail = load64(c + A_TAIL);
      if ((tail & ~mark) == head) return (tail & mark) != 0 ? DISCONNECTED : EMPTY;
      // Otherwise a sender has claimed the slot and is writing it: give it a moment.
      spin(min(r, 63));
      head = load64(c + A_HEAD);
    } else {
      // 4. Our head is stale (another receiver moved on): look again.
      spin(min(r, 63));
      head = load64(c + A_HEAD);
    }
  }
  return EMPTY; // not reached
}

/** Sets the mark on TAIL and wakes every sleeper; true if this call set it (the first one). */
export function arrayDisconnect(c: usize): bool {
  const mark = load64(c + A_ONE_LAP) >> 1;
  let tail = load64(c + A_TAIL);
  while ((tail & mark) == 0) {
    const seen = cas64(c + A_TAIL, tail, tail | mark);
    if (seen == tail) {
      // Pairs with every sleepWait/waitAsync on either word: they re-try and see the mark.
      wakeAll(c + C_SEND);
      wakeAll(c + C_RECV);
      return true;
    }
    tail = seen;
  }
  return false;
}

// ---- the operations: try, blocking (deadline), async step ----------------------------------

/** try_send: SUCCESS, FULL or DISCONNECTED; a delivered message wakes one sleeping receiver. */
// @ts-ignore: decorator
@inline export function arrayTrySend(c: usize, value: f64): i32 {
  const r = ringPush(c, value);
  if (r == SUCCESS) wakeOne(c + C_RECV);
  return r;
}

/** try_recv: SUCCESS (value in received.ts), EMPTY or DISCONNECTED; wakes one sleeping sender. */
// @ts-ignore: decorator
@inline export function arrayTryRecv(c: usize): i32 {
  const r = ringPop(c);
  if (r == SUCCESS) wakeOne(c + C_SEND);
  return r;
}

/** send until `deadline`: SUCCESS, DISCONNECTED or TIMEOUT. */
// @ts-ignore: decorator
@inline export function arraySend(c: usize, value: f64, deadline: f64): i32 {
  const r = arrayTrySend(c, value);
  return r != FULL ? r : arraySendCold(c, value, deadline);
}

/**
 * Rounds a blocked operation retries before it sleeps. Sleeping is dear here: a futex wake and
 * the sleeper's reschedule cost tens of microseconds (bench/probes/wake-cost.mjs; suite h's plain
 * Atomics ping-pong), while a peer's turnaround (receive, then reply) takes about a microsecond.
 * With the pause of `backoff` below, CHAN_SPIN_ROUNDS rounds last about 12 µs on the reference
 * machine (futex.ts's 64 rounds: about 3 µs): a ping-pong or a producer slightly slower than its
 * consumer does not sleep; a peer that really waits burns that much CPU first (less than one
 * futex round trip, so at most about twice the cost of sleeping at once).
 */
const CHAN_SPIN_ROUNDS: i32 = 512;

/** One round of waiting: a pause growing to 64 loads (futex.ts spin); false once time to sleep. */
// @ts-ignore: decorator
@inline function backoff(r: i32): bool {
  if (r >= CHAN_SPIN_ROUNDS) return false;
  spin(min(r, 6));
  return true;
}

function arraySendCold(c: usize, value: f64, deadline: f64): i32 {
  for (let r = 0; backoff(r); r++) { // a receiver is often just about to free a slot
    const code = arrayTrySend(c, value);
    if (code != FULL) return code;
  }
  for (;;) {
    const seen = sleepPrepare(c + C_SEND);
    const code = arrayTrySend(c, value);
    if (code != FULL) { sleepDone(c + C_SEND); return code; }
    const w = sleepWait(c + C_SEND, seen, deadline); // woken by arrayTryRecv / disconnect
    sleepDone(c + C_SEND);
    if (w == TIMED_OUT) return TIMEOUT;
  }
  return TIMEOUT; // not reached
}

/** recv until `deadline`: SUCCESS (value in received.ts), DISCONNECTED or TIMEOUT. */
// @ts-ignore: decorator
@inline export function arrayRecv(c: usize, deadline: f64): i32 {
  const r = arrayTryRecv(c);
  return r != EMPTY ? r : arrayRecvCold(c, deadline);
}

function arrayRecvCold(c: usize, deadline: f64): i32 {
  for (let r = 0; backoff(r); r++) { // a sender is often just about to deliver
    const code = arrayTryRecv(c);
    if (code != EMPTY) return code;
  }
  for (;;) {
    const seen = sleepPrepare(c + C_RECV);
    const code = arrayTryRecv(c);
    if (code != EMPTY) { sleepDone(c + C_RECV); return code; }
    const w = sleepWait(c + C_RECV, seen, deadline); // woken by arrayTrySend / disconnect
    sleepDone(c + C_RECV);
    if (w == TIMED_OUT) return TIMEOUT;
  }
  return TIMEOUT; // not reached
}

/**
 * One step of an asynchronous send. The host reads SEND_SEQ first, then steps: SUCCESS or
 * DISCONNECTED (done), or WOULD_BLOCK with a sender announced, after which the host awaits
 * Atomics.waitAsync(SEND_SEQ, value read) and calls arraySendDone before stepping again.
 */
export function arraySendStep(c: usize, value: f64): i32 {
  sleepPrepareAsync(c + C_SEND); // the host read SEQ before this call
  const code = arrayTrySend(c, value);
  if (code != FULL) { sleepDoneAsync(c + C_SEND); return code; }
  return WOULD_BLOCK;
}
export function arraySendDone(c: usize): void { sleepDoneAsync(c + C_SEND); }

/** One step of an asynchronous receive: as arraySendStep, on RECV_SEQ. */
export function arrayRecvStep(c: usize): i32 {
  sleepPrepareAsync(c + C_RECV);
  const code = arrayTryRecv(c);
  if (code != EMPTY) { sleepDoneAsync(c + C_RECV); return code; }
  return WOULD_BLOCK;
}
export function arrayRecvDone(c: usize): void { sleepDoneAsync(c + C_RECV); }

export function arrayIsDisconnected(c: usize): bool {
  return (load64(c + A_TAIL) & (load64(c + A_ONE_LAP) >> 1)) != 0;
}

/** Messages in the ring now (a consistent snapshot of HEAD and TAIL). */
export function arrayLen(c: usize): u32 {
  const oneLap = load64(c + A_ONE_LAP);
  const mark = oneLap >> 1;
  const cap = <i64>load32cap(c);
  for (;;) {
    // Read TAIL, HEAD, then TAIL again: an unchanged TAIL means HEAD was read between two equal
    // tails, so the pair was both true at that moment.
    const tail = load64(c + A_TAIL);
    const head = load64(c + A_HEAD);
    if (load64(c + A_TAIL) != tail) continue;
    const hix = head & (mark - 1);
    const tix = tail & (mark - 1);
    if (hix < tix) return <u32>(tix - hix);
    if (hix > tix) return <u32>(cap - hix + tix);
    if ((tail & ~mark) == head) return 0;
    return <u32>cap; // same index, one lap apart: full
  }
  return 0; // not reached
}

// ---- batches: runs of slots claimed with one cmpxchg ---------------------------------------
//
// A batch sender looks at the slots from TAIL on (to the end of the lap at most) and counts the
// run of those free for their positions (STAMP == pos). Those slots stay free until a sender
// claims them, and claiming any of them means moving TAIL past `tail`: so if the cmpxchg
// TAIL: tail -> tail + k succeeds, the whole run is ours. Then the k values are written and
// published one stamp at a time (receivers take them in order, each as soon as it is stamped),
// and the receivers are woken once for the batch. Receivers mirror this from HEAD with
// STAMP == pos + 1. Where no run is found (full / empty, a peer mid-step, a stale position) the
// single-message path above decides.

/** The position `k` slots after `pos` (pos's index + k <= CAP: runs never cross a lap). */
// @ts-ignore: decorator
@inline function runEnd(pos: i64, k: i64, oneLap: i64, cap: i64): i64 {
  const index = pos & ((oneLap >> 1) - 1);
  return index + k < cap ? pos + k : (pos & ~(oneLap - 1)) + oneLap;
}

/**
 * Sends up to `n` elements of the buffer at `ptr` (element kind `kind`, elems.ts) without
 * blocking; returns how many were sent, in order, and sets the batch code: SUCCESS (all), FULL
 * or DISCONNECTED. Receivers are woken once for the whole batch.
 */
export function arrayTrySendMany(c: usize, ptr: usize, n: u32, kind: u32): u32 {
  const oneLap = load64(c + A_ONE_LAP);
  const mark = oneLap >> 1;
  const cap = <i64>load32cap(c);
  let sent: u32 = 0;
  let code = SUCCESS;
  while (sent < n) {
    const tail = load64(c + A_TAIL);
    // 1. Disconnected: nothing more can be sent.
    if ((tail & mark) != 0) { code = DISCONNECTED; break; }
    // 2. Count the run of slots free for positions tail, tail + 1, … up to the end of the lap.
    const index = tail & (mark - 1);
    const want = min(<i64>(n - sent), cap - index);
    const first = c + A_SLOTS + <usize>index * SLOT_SIZE;
    let k: i64 = 0;
    while (k < want && load64(first + <usize>k * SLOT_SIZE + SLOT_STAMP) == tail + k) k++;
    if (k == 0) {
      // 3. No free slot at TAIL: full, a receiver mid-step or a stale tail. One single push
      //    sorts it out (it returns FULL only when the ring is really full).
      const r = ringPush(c, elemGet(ptr, sent, kind));
      if (r != SUCCESS) { code = r; break; }
      sent++;
      continue;
    }
    // 4. Claim the run. Losing the cmpxchg means another sender (or the disconnect mark) moved
    //    TAIL: look again.
    if (cas64(c + A_TAIL, tail, runEnd(tail, k, oneLap, cap)) != tail) continue;
    // 5. The run is ours: write each message, then publish it with the stamp its receiver waits
    //    for (pos + 1). VALUE is plain: our claim gives us the slot exclusively.
    for (let i: i64 = 0; i < k; i++) {
      const slot = first + <usize>i * SLOT_SIZE;
      store<f64>(slot + SLOT_VALUE, elemGet(ptr, sent + <u32>i, kind));
      store64(slot + SLOT_STAMP, tail + i + 1);
    }
    sent += <u32>k;
  }
  if (sent > 0) wakeMany(c + C_RECV, <i32>sent);
  setBatchCode(code);
  return sent;
}

/**
 * Receives up to `max` messages into the buffer at `ptr` without blocking; returns how many, in
 * order, and sets the batch code: SUCCESS (at least one), EMPTY or DISCONNECTED (none).
 * Senders are woken once for the whole batch.
 */
export function arrayTryRecvMany(c: usize, ptr: usize, max: u32, kind: u32): u32 {
  const oneLap = load64(c + A_ONE_LAP);
  const cap = <i64>load32cap(c);
  let got: u32 = 0;
  let code = SUCCESS;
  while (got < max) {
    const head = load64(c + A_HEAD);
    // 1. Count the run of slots holding the messages for positions head, head + 1, … (to the
    //    end of the lap).
    const index = head & ((oneLap >> 1) - 1);
    const want = min(<i64>(max - got), cap - index);
    const first = c + A_SLOTS + <usize>index * SLOT_SIZE;
    let k: i64 = 0;
    while (k < want && load64(first + <usize>k * SLOT_SIZE + SLOT_STAMP) == head + k + 1) k++;
    if (k == 0) {
      // 2. No message at HEAD: empty (or disconnected), a sender mid-step or a stale head.
      const r = ringPop(c);
      if (r != SUCCESS) { code = r; break; }
      elemSet(ptr, got, kind, getReceived());
      got++;
      continue;
    }
    // 3. Claim the run; losing the cmpxchg means another receiver moved HEAD: look again.
    if (cas64(c + A_HEAD, head, runEnd(head, k, oneLap, cap)) != head) continue;
    // 4. Ours: read each message, then free its slot for the sender one lap later.
    for (let i: i64 = 0; i < k; i++) {
      const slot = first + <usize>i * SLOT_SIZE;
      elemSet(ptr, got + <u32>i, kind, load<f64>(slot + SLOT_VALUE));
      store64(slot + SLOT_STAMP, head + i + oneLap);
    }
    got += <u32>k;
  }
  if (got > 0) { wakeMany(c + C_SEND, <i32>got); code = SUCCESS; }
  setBatchCode(code);
  return got;
}
