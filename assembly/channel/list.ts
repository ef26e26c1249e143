// List flavor: an unbounded MPMC channel as a linked list of blocks (the algorithm of
// crossbeam-channel's flavors/list.rs).
//
// Channel object (after the shared fields of layout.ts):
//
//   C_FLAVOR_FIELDS (64)               +64 (128)                          +128 (192)
//   ---+-------------+------------+----+-------------+------------+-----+
//   ...| HEAD index  | HEAD block |    | TAIL index  | TAIL block |     |
//      | (i64)       | (u32 ptr)  |    | (i64)       | (u32 ptr)  |     |
//   ---+-------------+------------+----+-------------+------------+-----+
//   HEAD (receivers) and TAIL (senders) sit on their own 64-byte lines, as crossbeam pads them.
//
// Block (one malloc'd block of the shared heap, L_BLOCK_SIZE = 504 bytes: with its 8-byte heap
// header exactly one 512-byte size class):
//
//   0      4      8                                   24              488           504
//   +------+------+-----------------------------------+---- ... ------+-------------+
//   | NEXT | pad  | slot 0 {STATE u32, pad, VALUE f64} | slot 1 .. 29  | slot 30     |
//   +------+------+-----------------------------------+---- ... ------+-------------+
//   NEXT   the following block, 0 until the sender that fills slot 30 links it
//   STATE  bits WRITE (the message is in VALUE), READ (its receiver is done with the slot),
//          DESTROY (the block's destroyer passed this slot while its receiver was still reading)
//
// Indices. Every message gets a position, counted from 0 and never reused; HEAD and TAIL hold
// `position << 1 | bit`, 64 bits wide, so they never wrap (2^62 messages). Positions come in laps
// of LAP = 32 per block: offsets 0..30 are the block's BLOCK_CAP = 31 slots, offset 31 is a
// phantom position meaning "this side is moving on to the next block" (whoever sees it waits a
// moment for the mover). The low bit:
//   TAIL   MARK: the channel is disconnected (one mark serves both directions, as in array.ts)
//   HEAD   MARK: HEAD's block is not the last one, so the position HEAD names has surely been
//          claimed by a sender and a receiver may take it without reading TAIL
//
// Blocks come and go:
//   - the first block is allocated by listInit (so a channel that exists always has one);
//   - the sender that claims slot 30 of a block installs the next block, which it allocated
//     *before* claiming (crossbeam's pre-allocation: the others wait only for three stores, and a
//     failed allocation leaves nothing claimed, so the send answers OUT_OF_MEMORY cleanly);
//   - the receiver that claims slot 30 moves HEAD to the next block, and once it has read its
//     message it frees the block, unless receivers of earlier slots are still reading: then the
//     last of those frees it (crossbeam's READ/DESTROY protocol, blockDestroy below);
//   - listDestroy frees whatever is still linked from HEAD when the channel itself is freed.
//
// Sends never block (the channel is unbounded): listSend and listSendStep are listTrySend, and
// nobody sleeps on the SEND waker. Receivers sleep on the RECV waker exactly as in array.ts.
import { load32, store32, or32, load64, store64, cas64, add64 } from "../sync/atomic";
import { spin, TIMED_OUT } from "../sync/futex";
import { malloc, free } from "../heap/index";
import { sleepPrepare, sleepWait, sleepDone, sleepPrepareAsync, sleepDoneAsync, wakeOne, wakeAll } from "./waker";
import { C_FLAVOR_FIELDS, C_SEND, C_RECV } from "./layout";
import { setReceived } from "./received";
import { SUCCESS, EMPTY, DISCONNECTED, TIMEOUT, WOULD_BLOCK, OUT_OF_MEMORY } from "../layout";

export const L_HEAD: usize = C_FLAVOR_FIELDS;
export const L_HEAD_BLOCK: usize = C_FLAVOR_FIELDS + 8;
export const L_TAIL: usize = C_FLAVOR_FIELDS + 64;
export const L_TAIL_BLOCK: usize = C_FLAVOR_FIELDS + 72;
/** Bytes of a list channel object. */
export const L_SIZE: usize = C_FLAVOR_FIELDS + 128;

const B_NEXT: usize = 0;
const B_SLOTS: usize = 8;
const LSLOT_SIZE: usize = 16;
const LSLOT_STATE: usize = 0;
const LSLOT_VALUE: usize = 8;

const LAP: i64 = 32;
const BLOCK_CAP: i64 = 31;
/** Bytes of one block (slots of 16 bytes after NEXT and its padding). */
export const L_BLOCK_SIZE: usize = B_SLOTS + <usize>BLOCK_CAP * LSLOT_SIZE;

const SHIFT: i64 = 1;
const ONE: i64 = 1 << SHIFT; // one position
const MARK: i64 = 1;

const WRITE: i32 = 1;
const READ: i32 = 2;
const DESTROY: i32 = 4;

export function listSize(cap: u32): usize { return L_SIZE; }

/** A zeroed block, or 0 when the heap is exhausted. */
function blockNew(): usize {
  const b = malloc(L_BLOCK_SIZE);
  // Not yet shared: plain zeroing; the atomic store that links the block publishes it.
  if (b != 0) memory.fill(b, 0, L_BLOCK_SIZE);
  return b;
}

// @ts-ignore: decorator
@inline function slotOf(block: usize, offset: i64): usize {
  return block + B_SLOTS + <usize>offset * LSLOT_SIZE;
}

// @ts-ignore: decorator
@inline function offsetOf(index: i64): i64 { return (index >> SHIFT) & (LAP - 1); }

// @ts-ignore: decorator
@inline function blockAt(p: usize): usize { return <usize><u32>load32(p); }

/** Initialises a zeroed channel object with its first block; false when that cannot be allocated. */
export function listInit(c: usize, cap: u32): bool {
  const b = blockNew();
  if (b == 0) return false;
  // HEAD = TAIL = position 0 of the first block (the object is not yet shared).
  store64(c + L_HEAD, 0);
  store32(c + L_HEAD_BLOCK, <i32>b);
  store64(c + L_TAIL, 0);
  store32(c + L_TAIL_BLOCK, <i32>b);
  return true;
}

/**
 * Frees every block still linked. Called once, when nobody references the channel: every
 * operation has finished, so every claimed slot is written and plain walking is safe.
 */
export function listDestroy(c: usize): void {
  let head = load64(c + L_HEAD) & ~MARK;
  const tail = load64(c + L_TAIL) & ~MARK;
  let block = blockAt(c + L_HEAD_BLOCK);
  // Walk the unreceived positions; each phantom offset 31 steps over to the next block. (Blocks
  // behind HEAD were freed by their receivers; numeric messages need no dropping.)
  while (head != tail) {
    if (offsetOf(head) == BLOCK_CAP) {
      const next = blockAt(block + B_NEXT);
      free(block);
      block = next;
    }
    head += ONE;
  }
  if (block != 0) free(block); // the block HEAD and TAIL share (always present: see listInit)
  store32(c + L_HEAD_BLOCK, 0);
  store32(c + L_TAIL_BLOCK, 0);
}

/** One push: SUCCESS, DISCONNECTED or OUT_OF_MEMORY (nothing sent). Waits only for a sender mid-step. */
function listPush(c: usize, value: f64): i32 {
  let tail = load64(c + L_TAIL);
  let block = blockAt(c + L_TAIL_BLOCK);
  let spare: usize = 0; // the next block, allocated before we claim slot 30
  for (let r = 0; ; r++) {
    // 1. A marked tail means the channel is disconnected: nothing can be sent.
    if ((tail & MARK) != 0) {
      if (spare != 0) free(spare); // never published
      return DISCONNECTED;
    }
    const offset = offsetOf(tail);
    if (offset == BLOCK_CAP) {
      // 2. The phantom position: another sender claimed slot 30 and is installing the next
      //    block (three stores away). Wait for it, then look again.
      spin(min(r, 63));
      tail = load64(c + L_TAIL);
      block = blockAt(c + L_TAIL_BLOCK);
      continue;
    }
    if (offset + 1 == BLOCK_CAP && spare == 0) {
      // 3. We are about to claim the block's last slot, which obliges us to install the next
      //    block: allocate it now, before claiming, so a failure leaves the channel untouched
      //    and the others' wait at the phantom position stays short.
      spare = blockNew();
      if (spare == 0) {
        // The heap is exhausted. If TAIL is still here, slot 30 is ours to take and we cannot:
        // nothing was claimed, so the send simply fails. If another sender moved TAIL on
        // meanwhile (and installed the next block), a lower slot may be ours: look again.
        const now = load64(c + L_TAIL);
        if (now == tail) return OUT_OF_MEMORY;
        tail = now;
        block = blockAt(c + L_TAIL_BLOCK);
        continue;
      }
    }
    // 4. Claim position `tail` by moving TAIL on. `block` is the block of `tail`: TAIL was
    //    `tail` before and after we read TAIL_BLOCK (a won cmpxchg proves it, as positions only
    //    grow), and TAIL_BLOCK only changes while TAIL is at a phantom position. So the block
    //    cannot have been freed: its slot `offset` is unclaimed.
    const seen = cas64(c + L_TAIL, tail, tail + ONE);
    if (seen == tail) {
      if (offset + 1 == BLOCK_CAP) {
        // 5. We took slot 30: TAIL is at the phantom. Install the next block: TAIL_BLOCK first,
        //    then TAIL onto offset 0 of the next lap (add: a disconnection mark set meanwhile
        //    stays), so whoever reads the new TAIL reads the new block after it; then link it for
        //    the receivers (the one that takes slot 30 waits for NEXT).
        store32(c + L_TAIL_BLOCK, <i32>spare);
        add64(c + L_TAIL, ONE);
        store32(block + B_NEXT, <i32>spare);
        spare = 0;
      } else if (spare != 0) {
        free(spare); // a competitor took slot 30 first and we ended up lower: not needed
      }
      // 6. The slot is ours alone (the claim): write the message, then publish it with WRITE
      //    (the receiver spins until it sees WRITE, so the SeqCst pair orders VALUE).
      const slot = slotOf(block, offset);
      store<f64>(slot + LSLOT_VALUE, value);
      or32(slot + LSLOT_STATE, WRITE);
      return SUCCESS;
    }
    // Lost the race to another sender: retry from the tail it left.
    tail = seen;
    block = blockAt(c + L_TAIL_BLOCK);
  }
  return DISCONNECTED; // not reached
}

/** One pop: SUCCESS (value in received.ts), EMPTY or DISCONNECTED. Waits only for a peer mid-step. */
function listPop(c: usize): i32 {
  let head = load64(c + L_HEAD);
  let block = blockAt(c + L_HEAD_BLOCK);
  for (let r = 0; ; r++) {
    const offset = offsetOf(head);
    if (offset == BLOCK_CAP) {
      // 1. The phantom position: another receiver took slot 30 and is moving HEAD to the next
      //    block. Wait for it, then look again.
      spin(min(r, 63));
      head = load64(c + L_HEAD);
      block = blockAt(c + L_HEAD_BLOCK);
      continue;
    }
    let newHead = head + ONE;
    if ((head & MARK) == 0) {
      // 2. HEAD's block may be the last one: compare with TAIL. Equal positions mean nothing was
      //    sent: empty, or disconnected if the mark is set (buffered messages are always received
      //    first, so disconnection is only reported on an empty channel).
      const tail = load64(c + L_TAIL);
      if ((head >> SHIFT) == (tail >> SHIFT)) return (tail & MARK) != 0 ? DISCONNECTED : EMPTY;
      // TAIL is in a later block: tell the receivers after us they need not read TAIL.
      if ((head >> SHIFT) / LAP != (tail >> SHIFT) / LAP) newHead |= MARK;
    }
    // 3. Claim position `head` by moving HEAD on. As for senders, a won cmpxchg proves `block` is
    //    the block of `head` (HEAD_BLOCK only changes at the phantom position), and the block
    //    is alive: its slot `offset` has not been read by anyone.
    const seen = cas64(c + L_HEAD, head, newHead);
    if (seen == head) {
      if (offset + 1 == BLOCK_CAP) {
        // 4. We took slot 30: HEAD is at the phantom. The sender of slot 30 links the next block
        //    (allocated before it claimed: a short wait). Move HEAD_BLOCK first, then HEAD onto
        //    offset 0 of the next lap, marked if that block is not the last one either.
        let next = blockAt(block + B_NEXT);
        for (let w = 0; next == 0; w++) { spin(min(w, 63)); next = blockAt(block + B_NEXT); }
        let nextIndex = (newHead & ~MARK) + ONE;
        if (blockAt(next + B_NEXT) != 0) nextIndex |= MARK;
        store32(c + L_HEAD_BLOCK, <i32>next);
        store64(c + L_HEAD, nextIndex);
      }
      // 5. The slot is ours alone: wait for its sender's WRITE (it claimed the slot before we
      //    could, and may still be writing), then read the message.
      const slot = slotOf(block, offset);
      for (let w = 0; (load32(slot + LSLOT_STATE) & WRITE) == 0; w++) spin(min(w, 63));
      setReceived(load<f64>(slot + LSLOT_VALUE));
      // 6. Done with the slot. The receiver of slot 30 starts freeing the block; any other
      //    receiver sets READ, and if the destroyer already passed it (DESTROY), carries on.
      if (offset + 1 == BLOCK_CAP) blockDestroy(block, 0);
      else if ((or32(slot + LSLOT_STATE, READ) & DESTROY) != 0) blockDestroy(block, offset + 1);
      return SUCCESS;
    }
    // Lost the race to another receiver: retry from the head it left.
    head = seen;
    block = blockAt(c + L_HEAD_BLOCK);
  }
  return EMPTY; // not reached
}

/**
 * Frees `block` once every receiver of slots `start` .. 29 is done (slot 30's receiver started
 * this, after HEAD left the block, so no new receiver can arrive). A slot without READ gets
 * DESTROY: if its receiver still had not set READ, that receiver continues from the next slot
 * (step 6 of listPop) and this call stops. Exactly one call reaches free().
 */
function blockDestroy(block: usize, start: i64): void {
  for (let i = start; i < BLOCK_CAP - 1; i++) {
    const state = slotOf(block, i) + LSLOT_STATE;
    if ((load32(state) & READ) == 0 && (or32(state, DESTROY) & READ) == 0) return;
  }
  free(block);
}

/** Sets the mark on TAIL and wakes every sleeper; true if this call set it (the first one). */
export function listDisconnect(c: usize): bool {
  let tail = load64(c + L_TAIL);
  while ((tail & MARK) == 0) {
    const seen = cas64(c + L_TAIL, tail, tail | MARK);
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

export function listIsDisconnected(c: usize): bool { return (load64(c + L_TAIL) & MARK) != 0; }

// ---- the operations: try, blocking (deadline), async step ----------------------------------

/** try_send: SUCCESS, DISCONNECTED or OUT_OF_MEMORY; a delivered message wakes one sleeping receiver. */
// @ts-ignore: decorator
@inline export function listTrySend(c: usize, value: f64): i32 {
  const r = listPush(c, value);
  if (r == SUCCESS) wakeOne(c + C_RECV);
  return r;
}

/** try_recv: SUCCESS (value in received.ts), EMPTY or DISCONNECTED. Nobody waits for room. */
// @ts-ignore: decorator
@inline export function listTryRecv(c: usize): i32 { return listPop(c); }

/** send: never blocks (unbounded), so the deadline is never needed. */
export function listSend(c: usize, value: f64, deadline: f64): i32 { return listTrySend(c, value); }

/** recv until `deadline`: SUCCESS (value in received.ts), DISCONNECTED or TIMEOUT. */
// @ts-ignore: decorator
@inline export function listRecv(c: usize, deadline: f64): i32 {
  const r = listPop(c);
  return r != EMPTY ? r : listRecvCold(c, deadline);
}

function listRecvCold(c: usize, deadline: f64): i32 {
  for (let r = 0; spin(r); r++) { // a sender is often just about to deliver
    const code = listPop(c);
    if (code != EMPTY) return code;
  }
  for (;;) {
    const seen = sleepPrepare(c + C_RECV);
    const code = listPop(c);
    if (code != EMPTY) { sleepDone(c + C_RECV); return code; }
    const w = sleepWait(c + C_RECV, seen, deadline); // woken by listTrySend / disconnect
    sleepDone(c + C_RECV);
    if (w == TIMED_OUT) return TIMEOUT;
  }
  return TIMEOUT; // not reached
}

/** One step of an asynchronous send: never WOULD_BLOCK (nothing announced, nothing to undo). */
export function listSendStep(c: usize, value: f64): i32 { return listTrySend(c, value); }
export function listSendDone(c: usize): void {}

/**
 * One step of an asynchronous receive (the host read RECV_SEQ first): SUCCESS or DISCONNECTED
 * (done), or WOULD_BLOCK with a receiver announced; the host then awaits Atomics.waitAsync on
 * RECV_SEQ and calls listRecvDone before stepping again (as arrayRecvStep).
 */
export function listRecvStep(c: usize): i32 {
  sleepPrepareAsync(c + C_RECV);
  const code = listPop(c);
  if (code != EMPTY) { sleepDoneAsync(c + C_RECV); return code; }
  return WOULD_BLOCK;
}
export function listRecvDone(c: usize): void { sleepDoneAsync(c + C_RECV); }

/** Messages in the channel now (a consistent snapshot of HEAD and TAIL). */
export function listLen(c: usize): u32 {
  for (;;) {
    // Read TAIL, HEAD, then TAIL again: an unchanged TAIL means HEAD was read between two equal
    // tails, so the pair was both true at that moment.
    const tailIndex = load64(c + L_TAIL);
    const headIndex = load64(c + L_HEAD);
    if (load64(c + L_TAIL) != tailIndex) continue;
    let tail = tailIndex >> SHIFT;
    let head = headIndex >> SHIFT;
    // A phantom position counts as offset 0 of the next block (someone is moving on to it).
    if ((tail & (LAP - 1)) == BLOCK_CAP) tail++;
    if ((head & (LAP - 1)) == BLOCK_CAP) head++;
    // Shift both so HEAD falls in lap 0; then every full lap between them holds one phantom.
    const base = (head / LAP) * LAP;
    tail -= base;
    head -= base;
    return <u32>(tail - head - tail / LAP);
  }
  return 0; // not reached
}
