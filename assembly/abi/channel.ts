// ABI exports for channels: see assembly/channel/ (index.ts is the facade, array.ts the bounded
// flavor, counter.ts the ends, waker.ts the sleep protocol). Pointers: `c` is a channel, `e` an
// end (sender or receiver). Timeouts are ms from now (Infinity = none); the host validates them.
import { deadlineAfter } from "../sync/futex";
import {
  chanNew, chanFree, chanFlavor, chanTrySend, chanTryRecv, chanSend, chanRecv, chanSendStep, chanSendDone, chanRecvStep,
  chanRecvDone, chanReceived, chanLen, chanCapacity, chanIsDisconnected,
} from "../channel/index";
import { endNew, endChan, endDestroy, endRetain, endRelease } from "../channel/counter";
import { TAG_CHAN_SENDER, TAG_CHAN_RECEIVER } from "../channel/layout";

export {
  TAG_CHANNEL, TAG_CHAN_SENDER, TAG_CHAN_RECEIVER, C_FLAVOR, C_CAP, C_SEND_SEQ, C_SEND_WAITERS,
  C_RECV_SEQ, C_RECV_WAITERS, FLAVOR_ARRAY, FLAVOR_LIST, FLAVOR_ZERO, CHAN_KIND_F64, CHAN_KIND_I32,
  CHAN_KIND_U32, CHAN_KIND_BYTES, CHAN_KIND_ANY, CE_CHAN, CE_CHAN_GEN, CHAN_END_SIZE,
} from "../channel/layout";
export { ARRAY_MAX_CAP, A_HEAD, A_TAIL, A_SLOTS } from "../channel/array";
export { L_SIZE, L_BLOCK_SIZE } from "../channel/list";

/** A channel with REFS = 1 (the caller's), or 0 when out of memory or given bad arguments. */
export function chan_new(flavor: u32, kind: u32, cap: u32): usize { return chanNew(flavor, kind, cap); }
/** The sender end of `c` (takes its own reference to c), or 0 when out of memory. */
export function chan_sender_new(c: usize): usize { return endNew(c, TAG_CHAN_SENDER); }
/** The receiver end of `c` (takes its own reference to c), or 0 when out of memory. */
export function chan_receiver_new(c: usize): usize { return endNew(c, TAG_CHAN_RECEIVER); }
export function chan_end_chan(e: usize): usize { return endChan(e); }
export function chan_end_retain(e: usize): i32 { return endRetain(e); }
export function chan_end_release(e: usize): i32 { return endRelease(e); }
/**
 * Destroy hook of an end whose REFS the host brought to 0 (the host frees the end itself).
 * Returns a channel the host must drain of message blocks and then free with chan_free, or 0.
 */
export function chan_end_destroy(e: usize): usize { return endDestroy(e); }
/** Frees a drained channel that chan_end_destroy handed to the host. */
export function chan_free(c: usize): void { chanFree(c); }
/** FLAVOR_ARRAY, FLAVOR_LIST or FLAVOR_ZERO. */
export function chan_flavor(c: usize): u32 { return chanFlavor(c); }

export function chan_send(c: usize, v: f64, timeoutMs: f64): i32 { return chanSend(c, v, deadlineAfter(timeoutMs)); }
export function chan_try_send(c: usize, v: f64): i32 { return chanTrySend(c, v); }
export function chan_send_step(c: usize, v: f64): i32 { return chanSendStep(c, v); }
export function chan_send_done(c: usize): void { chanSendDone(c); }
export function chan_recv(c: usize, timeoutMs: f64): i32 { return chanRecv(c, deadlineAfter(timeoutMs)); }
export function chan_try_recv(c: usize): i32 { return chanTryRecv(c); }
export function chan_recv_step(c: usize): i32 { return chanRecvStep(c); }
export function chan_recv_done(c: usize): void { chanRecvDone(c); }
/** The value of this thread's last successful recv / try_recv / recv_step. */
export function chan_value(): f64 { return chanReceived(); }
export function chan_len(c: usize): u32 { return chanLen(c); }
export function chan_capacity(c: usize): u32 { return chanCapacity(c); }
export function chan_is_disconnected(c: usize): i32 { return chanIsDisconnected(c) ? 1 : 0; }
