// Batch operations: many numeric messages per call, over a buffer in the heap (elems.ts).
//
//   chanTrySendMany(c, ptr, n, kind)            sends what fits now, never blocks
//   chanSendMany(c, ptr, n, kind, deadline)     sends all n, blocking while full (until deadline)
//   chanSendManyStep(c, ptr, n, kind)           one step of the host's async sendMany
//   chanTryRecvMany(c, ptr, max, kind)          takes what is there now (up to max), never blocks
//   chanRecvMany(c, ptr, max, kind, deadline)   blocks for one message, then takes what is there
//   chanRecvManyStep(c, ptr, max, kind)         one step of the host's async recvMany
//
// Each returns a count (messages sent / received, in order) and leaves the reason it stopped in
// this thread's batch code (elems.ts, `chanBatchCode()`):
//   send:  SUCCESS (all n sent), FULL (try form), DISCONNECTED, TIMEOUT, WOULD_BLOCK (step)
//   recv:  SUCCESS (count >= 1), EMPTY (try form), DISCONNECTED (count 0: empty and
//          disconnected), TIMEOUT, WOULD_BLOCK (step)
//   both:  INVALID_ARGUMENT for an unknown element kind (nothing moved)
//
// The array flavor claims runs of slots with one cmpxchg and wakes its peers once per batch
// (array.ts, arrayTrySendMany / arrayTryRecvMany). Other flavors loop over the facade's single
// operations. Blocking forms block for ONE message through the facade's own blocking operation
// (so every flavor's sleep protocol is reused as is), then go on without blocking.
//
// Steps (async forms, as the single-message steps of index.ts): the host reads SEND_SEQ /
// RECV_SEQ, calls the step; WOULD_BLOCK means a sleeper was announced: the host awaits
// Atomics.waitAsync on that word, then calls chanSendDone / chanRecvDone, and tries again.
import {
  chanFlavor, chanTrySend, chanTryRecv, chanSend, chanRecv, chanSendStep, chanRecvStep,
} from "./index";
import { arrayTrySendMany, arrayTryRecvMany } from "./array";
import { FLAVOR_ARRAY } from "./layout";
import { getReceived } from "./received";
import { elemKindOk, elemShift, elemGet, elemSet, setBatchCode, getBatchCode } from "./elems";
import { SUCCESS, FULL, EMPTY, INVALID_ARGUMENT } from "../layout";

/** Why this thread's last batch call stopped (see the header). */
export function chanBatchCode(): i32 { return getBatchCode(); }

/** Sends up to `n` elements now; count sent, batch code SUCCESS, FULL or DISCONNECTED. */
export function chanTrySendMany(c: usize, ptr: usize, n: u32, kind: u32): u32 {
  if (!elemKindOk(kind)) { setBatchCode(INVALID_ARGUMENT); return 0; }
  if (chanFlavor(c) == FLAVOR_ARRAY) return arrayTrySendMany(c, ptr, n, kind);
  let sent: u32 = 0;
  let code = SUCCESS;
  while (sent < n) {
    const r = chanTrySend(c, elemGet(ptr, sent, kind));
    if (r != SUCCESS) { code = r; break; }
    sent++;
  }
  setBatchCode(code);
  return sent;
}

/** Takes up to `max` messages now; count, batch code SUCCESS, EMPTY or DISCONNECTED. */
export function chanTryRecvMany(c: usize, ptr: usize, max: u32, kind: u32): u32 {
  if (!elemKindOk(kind)) { setBatchCode(INVALID_ARGUMENT); return 0; }
  if (chanFlavor(c) == FLAVOR_ARRAY) return arrayTryRecvMany(c, ptr, max, kind);
  let got: u32 = 0;
  let code = SUCCESS;
  while (got < max) {
    const r = chanTryRecv(c);
    if (r != SUCCESS) { code = r; break; }
    elemSet(ptr, got, kind, getReceived());
    got++;
  }
  setBatchCode(got > 0 ? SUCCESS : code);
  return got;
}

/**
 * Sends all `n` elements, blocking while the channel is full, until `deadline`. Returns the
 * count sent; batch code SUCCESS (all), DISCONNECTED or TIMEOUT (the rest was not sent).
 */
export function chanSendMany(c: usize, ptr: usize, n: u32, kind: u32, deadline: f64): u32 {
  let sent = chanTrySendMany(c, ptr, n, kind);
  let code = getBatchCode();
  while (code == FULL) {
    // Block for one message (the flavor's own sleep protocol), then send on without blocking.
    const r = chanSend(c, elemGet(ptr, sent, kind), deadline);
    if (r != SUCCESS) { code = r; break; }
    sent++;
    if (sent == n) { code = SUCCESS; break; }
    sent += chanTrySendMany(c, ptr + (<usize>sent << elemShift(kind)), n - sent, kind);
    code = getBatchCode();
  }
  setBatchCode(code);
  return sent;
}

/**
 * Receives at least one message (blocking until `deadline`), then as many more as are there, up
 * to `max`. Returns the count; batch code SUCCESS, or DISCONNECTED / TIMEOUT with count 0.
 */
export function chanRecvMany(c: usize, ptr: usize, max: u32, kind: u32, deadline: f64): u32 {
  const got = chanTryRecvMany(c, ptr, max, kind);
  if (got > 0 || getBatchCode() != EMPTY || max == 0) return got;
  const r = chanRecv(c, deadline);
  if (r != SUCCESS) { setBatchCode(r); return 0; }
  elemSet(ptr, 0, kind, getReceived());
  return 1 + takeMore(c, ptr, max, kind);
}

/** After one received message: up to max - 1 more without blocking (batch code SUCCESS). */
function takeMore(c: usize, ptr: usize, max: u32, kind: u32): u32 {
  const more = max > 1 ? chanTryRecvMany(c, ptr + (<usize>1 << elemShift(kind)), max - 1, kind) : 0;
  setBatchCode(SUCCESS);
  return more;
}

/**
 * One step of an async sendMany: sends the first element through the flavor's send step (which
 * announces a sleeper when it cannot: batch code WOULD_BLOCK, count 0), then the rest without
 * blocking. Count sent; batch code SUCCESS, FULL (some sent, more to go), DISCONNECTED.
 */
export function chanSendManyStep(c: usize, ptr: usize, n: u32, kind: u32): u32 {
  if (!elemKindOk(kind)) { setBatchCode(INVALID_ARGUMENT); return 0; }
  if (n == 0) { setBatchCode(SUCCESS); return 0; }
  const r = chanSendStep(c, elemGet(ptr, 0, kind));
  if (r != SUCCESS) { setBatchCode(r); return 0; }
  if (n == 1) { setBatchCode(SUCCESS); return 1; }
  return 1 + chanTrySendMany(c, ptr + (<usize>1 << elemShift(kind)), n - 1, kind);
}

/** One step of an async recvMany: as chanSendManyStep, through the flavor's receive step. */
export function chanRecvManyStep(c: usize, ptr: usize, max: u32, kind: u32): u32 {
  if (!elemKindOk(kind)) { setBatchCode(INVALID_ARGUMENT); return 0; }
  if (max == 0) { setBatchCode(SUCCESS); return 0; }
  const r = chanRecvStep(c);
  if (r != SUCCESS) { setBatchCode(r); return 0; }
  elemSet(ptr, 0, kind, getReceived());
  return 1 + takeMore(c, ptr, max, kind);
}
