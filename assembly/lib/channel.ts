// Channels for kernels: views over the two ends of a weft channel (assembly/channel/) at their
// addresses, for numeric payloads ("f64", "i32", "u32").
//
// A kernel gets an end from JS as a number: the `ptr` of a `Sender` / `Receiver` handle (pass
// `tx.ptr` as an argument; the JS handle keeps the end alive while the kernel uses it), or the
// `ptr` of `tx.intoRaw()` (then the kernel owns that reference: `drop()` it when done, which
// disconnects the channel if it was the last handle of its side). The ends are the very objects
// the JS API uses (same ring, same waker words, same algorithms: assembly/channel/*.ts compiled
// into the kernel), so a kernel sender and a JS receiver, or two kernels, share one channel.
//
//   const tx = Sender.at(txPtr);
//   for (let i = 0; i < n; i++) if (tx.send(<f64>i) != SUCCESS) break;   // DISCONNECTED
//   const rx = Receiver.at(rxPtr);
//   while (rx.recv() == SUCCESS) sum += rx.value;                         // until DISCONNECTED
//
// Results are codes: SUCCESS, FULL (trySend), EMPTY (tryRecv), DISCONNECTED, TIMEOUT (…Timeout
// forms), INVALID_ARGUMENT (negative or NaN timeout). A received message is read with `value`
// (this thread's last successful receive, as an f64: an i32 / u32 channel's messages are exact
// integers in it). Batches move `n` elements of a buffer the kernel owns (element kind
// CHAN_KIND_F64 / _I32 / _U32, any kind for any numeric channel) and return a count;
// `batchCode()` says why the last batch stopped (see assembly/channel/batch.ts).
// Messages of "bytes" / "any" channels are heap blocks the JS side encodes: not for kernels.
import { objCheck } from "../engine/object";
import { deadlineAfter } from "../sync/futex";
import {
  chanSend, chanTrySend, chanRecv, chanTryRecv, chanLen, chanCapacity, chanIsDisconnected, chanReceived,
} from "../channel/index";
import {
  chanSendMany, chanTrySendMany, chanRecvMany, chanTryRecvMany, chanBatchCode,
} from "../channel/batch";
import { setBatchCode } from "../channel/elems";
import { endChan, endRetain, endRelease } from "../channel/counter";
import { TAG_CHAN_SENDER, TAG_CHAN_RECEIVER } from "../channel/layout";
import { INVALID_ARGUMENT } from "../layout";

/** Why this thread's last sendMany / recvMany (any form) stopped: SUCCESS, FULL, EMPTY, … */
export function batchCode(): i32 { return chanBatchCode(); }

/**
 * The sending end of a weft channel (the `ptr` of a JS `Sender`).
 *
 * send / sendTimeout / trySend: SUCCESS, DISCONNECTED (every receiver gone), TIMEOUT / FULL.
 * sendMany(ptr, n, kind) sends all n elements in order, blocking while full: returns the count
 * sent (n, or fewer with batchCode() DISCONNECTED); sendManyTimeout stops at TIMEOUT too;
 * trySendMany sends what fits now (batchCode() FULL when it stopped short).
 */
// @ts-ignore: decorator
@unmanaged export class Sender {
  /** The Sender end at `ptr` (no check: use `Sender.check` on pointers from untrusted input). */
  static at(ptr: usize): Sender { return changetype<Sender>(ptr); }

  /** SUCCESS if `ptr` is a live Sender end of generation `gen` (a handle's `gen`), else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_CHAN_SENDER, gen); }

  get ptr(): usize { return changetype<usize>(this); }
  /** The channel object this end belongs to. */
  get channel(): usize { return endChan(this.ptr); }

  send(v: f64): i32 { return chanSend(this.channel, v, Infinity); }
  sendTimeout(v: f64, ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return chanSend(this.channel, v, deadlineAfter(ms));
  }
  trySend(v: f64): i32 { return chanTrySend(this.channel, v); }

  sendMany(ptr: usize, n: u32, kind: u32): u32 { return chanSendMany(this.channel, ptr, n, kind, Infinity); }
  /** As sendMany, giving up after `ms` (batchCode() TIMEOUT; NaN / negative ms: INVALID_ARGUMENT, 0 sent). */
  sendManyTimeout(ptr: usize, n: u32, kind: u32, ms: f64): u32 {
    if (!(ms >= 0)) return badTimeout();
    return chanSendMany(this.channel, ptr, n, kind, deadlineAfter(ms));
  }
  trySendMany(ptr: usize, n: u32, kind: u32): u32 { return chanTrySendMany(this.channel, ptr, n, kind); }

  /** Messages in the channel now. */
  len(): u32 { return chanLen(this.channel); }
  capacity(): u32 { return chanCapacity(this.channel); }
  isDisconnected(): bool { return chanIsDisconnected(this.channel); }

  /** +1 handle of this side (Sender.clone): SUCCESS, or INVALID_HANDLE if the end already died. */
  retain(): i32 { return endRetain(this.ptr); }
  /** -1 handle; the last one disconnects the channel and frees the end. Returns the handles left. */
  drop(): i32 { return endRelease(this.ptr); }
}

/**
 * The receiving end of a weft channel (the `ptr` of a JS `Receiver`).
 *
 * recv / recvTimeout / tryRecv: SUCCESS (the message in `value`), DISCONNECTED (empty and every
 * sender gone), TIMEOUT / EMPTY. recvMany(ptr, max, kind) blocks for one message, then takes as
 * many as are there up to max: returns the count (0 with batchCode() DISCONNECTED once empty and
 * disconnected); recvManyTimeout also stops at TIMEOUT; tryRecvMany never blocks (EMPTY).
 */
// @ts-ignore: decorator
@unmanaged export class Receiver {
  /** The Receiver end at `ptr` (no check: use `Receiver.check` on pointers from untrusted input). */
  static at(ptr: usize): Receiver { return changetype<Receiver>(ptr); }

  /** SUCCESS if `ptr` is a live Receiver end of generation `gen`, else INVALID_HANDLE. */
  static check(ptr: usize, gen: u32): i32 { return objCheck(ptr, TAG_CHAN_RECEIVER, gen); }

  get ptr(): usize { return changetype<usize>(this); }
  get channel(): usize { return endChan(this.ptr); }

  recv(): i32 { return chanRecv(this.channel, Infinity); }
  recvTimeout(ms: f64): i32 {
    if (!(ms >= 0)) return INVALID_ARGUMENT;
    return chanRecv(this.channel, deadlineAfter(ms));
  }
  tryRecv(): i32 { return chanTryRecv(this.channel); }
  /** The message of this thread's last successful recv / recvTimeout / tryRecv. */
  get value(): f64 { return chanReceived(); }

  recvMany(ptr: usize, max: u32, kind: u32): u32 { return chanRecvMany(this.channel, ptr, max, kind, Infinity); }
  recvManyTimeout(ptr: usize, max: u32, kind: u32, ms: f64): u32 {
    if (!(ms >= 0)) return badTimeout();
    return chanRecvMany(this.channel, ptr, max, kind, deadlineAfter(ms));
  }
  tryRecvMany(ptr: usize, max: u32, kind: u32): u32 { return chanTryRecvMany(this.channel, ptr, max, kind); }

  len(): u32 { return chanLen(this.channel); }
  capacity(): u32 { return chanCapacity(this.channel); }
  isDisconnected(): bool { return chanIsDisconnected(this.channel); }

  retain(): i32 { return endRetain(this.ptr); }
  drop(): i32 { return endRelease(this.ptr); }
}

/** A bad timeout of a batch call: nothing moved, batchCode() INVALID_ARGUMENT. */
function badTimeout(): u32 {
  setBatchCode(INVALID_ARGUMENT);
  return 0;
}
