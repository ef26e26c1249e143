// ABI exports for channel batch operations (assembly/channel/batch.ts): `c` a channel, `ptr` a
// heap buffer of `n` / `max` elements of `kind` (CHAN_KIND_F64, _I32, _U32), timeouts in ms from
// now (Infinity = none; the host validates them). Each returns a count; chan_batch_code() says
// why the last batch call of this thread stopped.
import { deadlineAfter } from "../sync/futex";
import {
  chanTrySendMany, chanSendMany, chanSendManyStep, chanTryRecvMany, chanRecvMany, chanRecvManyStep, chanBatchCode,
} from "../channel/batch";

export function chan_try_send_many(c: usize, ptr: usize, n: u32, kind: u32): u32 { return chanTrySendMany(c, ptr, n, kind); }
export function chan_send_many(c: usize, ptr: usize, n: u32, kind: u32, timeoutMs: f64): u32 {
  return chanSendMany(c, ptr, n, kind, deadlineAfter(timeoutMs));
}
export function chan_send_many_step(c: usize, ptr: usize, n: u32, kind: u32): u32 { return chanSendManyStep(c, ptr, n, kind); }
export function chan_try_recv_many(c: usize, ptr: usize, max: u32, kind: u32): u32 { return chanTryRecvMany(c, ptr, max, kind); }
export function chan_recv_many(c: usize, ptr: usize, max: u32, kind: u32, timeoutMs: f64): u32 {
  return chanRecvMany(c, ptr, max, kind, deadlineAfter(timeoutMs));
}
export function chan_recv_many_step(c: usize, ptr: usize, max: u32, kind: u32): u32 { return chanRecvManyStep(c, ptr, max, kind); }
export function chan_batch_code(): i32 { return chanBatchCode(); }
