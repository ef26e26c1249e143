// Batch operations of numeric channels: Sender.sendMany / sendManyAsync and Receiver.recvMany /
// recvManyAsync (ends.ts delegates here), over assembly/channel/batch.ts.
//
// Elements travel through a scratch block in the shared heap: copied in (typed-array `set`, a
// memcpy), moved by ONE engine call per chunk (the array flavor claims runs of slots and wakes
// its peers once per batch), copied out. Sync forms use one scratch block per thread (a sync call
// cannot be interleaved with another on its thread); async forms allocate their own per call,
// since other operations of the thread run while they are parked. Big arrays go in chunks of
// SCRATCH_BYTES.
//
// Types: the array type must match the channel's payload kind (Float64Array for "f64",
// Int32Array for "i32", Uint32Array for "u32"); sendMany also takes a plain number[] (each
// element checked like send's). Anything else is InvalidArgumentError; "bytes" / "any" channels
// have no batch form (UnsupportedValueError). Errors are thrown before anything is sent.
import { Engine, views } from "../engine";
import {
  Code, fromCode, checkTimeout, MainThreadBlockError, InvalidArgumentError, UnsupportedValueError,
  OutOfMemoryError, RecvError, RecvTimeoutError, SendManyError, SendManyTimeoutError,
} from "../errors";
import type { Payload } from "./payload";
import { retainRef, releaseRef } from "../handle";
import { parkOnSeq } from "./park";

/** The typed arrays batch operations move. */
export type NumericArray = Float64Array | Int32Array | Uint32Array;
/** What sendMany accepts: a typed array of the channel's kind, or plain numbers. */
export type NumericInput = NumericArray | readonly number[];

/** What a batch operation needs from a channel end (ends.ts makes one per call). */
export interface BatchEnd {
  readonly e: Engine;
  /** The end object (async forms hold a reference to it for their whole run). */
  readonly end: number;
  /** The channel pointer (ends.ts reads it through the handle: DroppedError once closed). */
  readonly chan: number;
  readonly payload: Payload;
}

export interface BatchOptions { timeout?: number }

/** Bytes of one chunk (and of each scratch block): 8192 f64 or 16384 i32 / u32. */
const SCRATCH_BYTES = 64 * 1024;

// This thread's scratch block for the sync forms, for the engine it was allocated from (a new
// init makes a new memory).
let scratch = 0;
let scratchOf: Engine | null = null;

function threadScratch(e: Engine): number {
  if (scratchOf !== e || scratch === 0) {
    const p = e.x.heap_alloc(SCRATCH_BYTES);
    if (p === 0) throw new OutOfMemoryError(SCRATCH_BYTES);
    scratch = p;
    scratchOf = e;
  }
  return scratch;
}

/** Element kind code and log2 size of `a` when it matches payload `p`, else a typed error. */
function elemOf(a: unknown, p: Payload, L: Record<string, number>, what: string, allowArray: boolean): { kind: number; shift: number } {
  numericOnly(p, what);
  if (p.name === "f64" && a instanceof Float64Array) return { kind: L.CHAN_KIND_F64, shift: 3 };
  if (p.name === "i32" && a instanceof Int32Array) return { kind: L.CHAN_KIND_I32, shift: 2 };
  if (p.name === "u32" && a instanceof Uint32Array) return { kind: L.CHAN_KIND_U32, shift: 2 };
  const want = p.name === "f64" ? "Float64Array" : p.name === "i32" ? "Int32Array" : "Uint32Array";
  const got = a === null ? "null" : typeof a === "object" ? (a as object).constructor?.name ?? "object" : typeof a;
  throw new InvalidArgumentError(`${what}: a "${p.name}" channel takes a ${want}${allowArray ? " or number[]" : ""}, got ${got}`);
}

/** Batch forms exist for numeric channels only. */
function numericOnly(p: Payload, what: string): void {
  if (p.name !== "f64" && p.name !== "i32" && p.name !== "u32") {
    throw new UnsupportedValueError(`${what}: batch operations move numbers; this channel carries "${p.name}" (use send/recv)`);
  }
}

/** A typed array whose buffer was transferred or detached (its length reads 0). */
function isDetached(a: NumericArray): boolean {
  if (a.length !== 0) return false;
  const buf = a.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buf.detached === "boolean") return buf.detached;
  try { void new Uint8Array(buf); return false; } catch { return true; }
}

/** The typed array to send from (plain arrays checked element by element into a Float64Array). */
function sendSource(values: unknown, p: Payload, L: Record<string, number>, what: string): { src: NumericArray; kind: number; shift: number } {
  if (Array.isArray(values)) {
    numericOnly(p, what);
    const src = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) src[i] = p.encode(values[i], what); // typed errors, nothing sent
    return { src, kind: L.CHAN_KIND_F64, shift: 3 };
  }
  const { kind, shift } = elemOf(values, p, L, what, true);
  const src = values as NumericArray;
  if (isDetached(src)) throw new InvalidArgumentError(`${what}: the array's buffer is detached`);
  return { src, kind, shift };
}

function recvTarget(into: unknown, p: Payload, L: Record<string, number>, what: string): { kind: number; shift: number } {
  const r = elemOf(into, p, L, what, false);
  const a = into as NumericArray;
  if (isDetached(a)) throw new InvalidArgumentError(`${what}: the array's buffer is detached`);
  if (a.length === 0) throw new InvalidArgumentError(`${what}: the array to receive into is empty`);
  return r;
}

/** Copies src[from, from + k) into the heap block at `buf`. */
function copyIn(src: NumericArray, from: number, k: number, buf: number, shift: number): void {
  const v = views();
  const part = src.subarray(from, from + k);
  if (shift === 3) v.f64.set(part as Float64Array, buf >>> 3);
  else if (src instanceof Int32Array) v.i32.set(part as Int32Array, buf >>> 2);
  else v.u32.set(part as Uint32Array, buf >>> 2);
}

/** Copies k elements from the heap block at `buf` into into[at, at + k). */
function copyOut(buf: number, into: NumericArray, at: number, k: number, shift: number): void {
  const v = views();
  if (shift === 3) (into as Float64Array).set(v.f64.subarray(buf >>> 3, (buf >>> 3) + k), at);
  else if (into instanceof Int32Array) into.set(v.i32.subarray(buf >>> 2, (buf >>> 2) + k), at);
  else (into as Uint32Array).set(v.u32.subarray(buf >>> 2, (buf >>> 2) + k), at);
}

/** The unsent rest of `values` (same type) after `sent` messages. */
function rest<T>(values: T, sent: number): T {
  return (values as unknown as { slice(a: number): T }).slice(sent);
}

function sendFailure(code: number, values: unknown, sent: number, timed: boolean, ms: number): Error {
  if (code === Code.TIMEOUT) return new SendManyTimeoutError("Timeout", rest(values, sent), sent, ms);
  if (code === Code.DISCONNECTED) {
    return timed ? new SendManyTimeoutError("Disconnected", rest(values, sent), sent, ms) : new SendManyError(rest(values, sent), sent);
  }
  return fromCode(code, "Sender");
}

function recvFailure(code: number, timed: boolean, ms: number): Error {
  if (code === Code.TIMEOUT || code === Code.EMPTY) return new RecvTimeoutError("Timeout", ms);
  if (code === Code.DISCONNECTED) return timed ? new RecvTimeoutError("Disconnected", ms) : new RecvError();
  return fromCode(code, "Receiver");
}


const timeoutOf = (opts: BatchOptions | undefined, what: string): number =>
  opts?.timeout === undefined ? Infinity : checkTimeout(opts.timeout, what);

/** Sender.sendMany: every element in order, blocking while the channel is full. */
export function sendMany(end: BatchEnd, values: NumericInput, opts: BatchOptions | undefined): void {
  const what = "Sender.sendMany";
  const timeout = timeoutOf(opts, what);
  const { e, chan: c, payload } = end;
  const { x, L } = e;
  const { src, kind, shift } = sendSource(values, payload, L, what);
  const n = src.length;
  if (n === 0) return;
  if (!e.canBlock) throw new MainThreadBlockError(what, "sendManyAsync()");
  const buf = threadScratch(e);
  const per = SCRATCH_BYTES >>> shift;
  const deadline = performance.now() + timeout;
  for (let sent = 0; sent < n;) {
    const k = Math.min(per, n - sent);
    copyIn(src, sent, k, buf, shift);
    const left = timeout === Infinity ? Infinity : Math.max(0, deadline - performance.now());
    const moved = x.chan_send_many(c, buf, k, kind, left);
    sent += moved;
    const code = x.chan_batch_code();
    if (code !== Code.SUCCESS) throw sendFailure(code, values, sent, opts?.timeout !== undefined, timeout);
  }
}

/** Receiver.recvMany: blocks for one message, then takes what is there, up to into.length. */
export function recvMany(end: BatchEnd, into: NumericArray, opts: BatchOptions | undefined): number {
  const what = "Receiver.recvMany";
  const timeout = timeoutOf(opts, what);
  const { e, chan: c, payload } = end;
  const { x, L } = e;
  const { kind, shift } = recvTarget(into, payload, L, what);
  const buf = threadScratch(e);
  const per = SCRATCH_BYTES >>> shift;
  const max = Math.min(into.length, per);
  let got = x.chan_try_recv_many(c, buf, max, kind);
  let code = x.chan_batch_code();
  if (got === 0 && code === Code.EMPTY && timeout > 0) {
    if (!e.canBlock) throw new MainThreadBlockError(what, "recvManyAsync()");
    got = x.chan_recv_many(c, buf, max, kind, timeout);
    code = x.chan_batch_code();
  }
  if (got === 0) throw recvFailure(code, opts?.timeout !== undefined, timeout);
  copyOut(buf, into, 0, got, shift);
  return got === max ? fillMore(x, c, buf, into, got, kind, shift, per) : got;
}

/** After a full chunk: more chunks without blocking, while messages are there. */
function fillMore(x: Engine["x"], c: number, buf: number, into: NumericArray, got: number, kind: number, shift: number, per: number): number {
  while (got < into.length) {
    const want = Math.min(per, into.length - got);
    const k = x.chan_try_recv_many(c, buf, want, kind);
    if (k === 0) break;
    copyOut(buf, into, got, k, shift);
    got += k;
    if (k < want) break;
  }
  return got;
}

/** Sender.sendManyAsync: as sendMany, parked with Atomics.waitAsync while full. */
export async function sendManyAsync(end: BatchEnd, values: NumericInput, opts: BatchOptions | undefined): Promise<void> {
  const what = "Sender.sendManyAsync";
  const timeout = timeoutOf(opts, what);
  const { e, chan: c, payload } = end;
  const { x, L } = e;
  const { src, kind, shift } = sendSource(values, payload, L, what);
  const n = src.length;
  if (n === 0) return;
  const per = SCRATCH_BYTES >>> shift;
  const bytes = Math.min(n, per) << shift;
  const buf = x.heap_alloc(bytes); // our own: other operations of this thread run while we wait
  if (buf === 0) throw new OutOfMemoryError(bytes);
  const timed = opts?.timeout !== undefined;
  const deadline = performance.now() + timeout;
  // Our own reference to the end for the whole operation: the handle may be closed while we are
  // parked, and we go on using the channel after each wait (as stepAsync does for one wait).
  try { retainRef(end.end, "Sender"); } catch (err) { x.heap_free(buf); throw err; }
  try {
    for (let sent = 0; sent < n;) {
      const k = Math.min(per, n - sent);
      copyIn(src, sent, k, buf, shift);
      let done = 0;
      for (;;) {
        done += x.chan_try_send_many(c, buf + (done << shift), k - done, kind);
        let code = x.chan_batch_code();
        if (code === Code.SUCCESS) break;
        if (code !== Code.FULL) throw sendFailure(code, values, sent + done, timed, timeout);
        // Full: park until a receive frees a slot, sending as much as fits then.
        let moved = 0;
        const step = (): number => {
          moved = x.chan_send_many_step(c, buf + (done << shift), k - done, kind);
          return moved > 0 ? Code.SUCCESS : x.chan_batch_code();
        };
        code = await parkOnSeq(c, L.C_SEND_SEQ, step, () => x.chan_send_done(c), deadline - performance.now());
        done += moved;
        if (moved === 0) throw sendFailure(code, values, sent + done, timed, timeout);
        if (done === k) break;
      }
      sent += k;
    }
  } finally {
    x.heap_free(buf);
    releaseRef(end.end);
  }
}

/** Receiver.recvManyAsync: as recvMany, parked with Atomics.waitAsync while empty. */
export async function recvManyAsync(end: BatchEnd, into: NumericArray, opts: BatchOptions | undefined): Promise<number> {
  const what = "Receiver.recvManyAsync";
  const timeout = timeoutOf(opts, what);
  const { e, chan: c, payload } = end;
  const { x, L } = e;
  const { kind, shift } = recvTarget(into, payload, L, what);
  const per = SCRATCH_BYTES >>> shift;
  const max = Math.min(into.length, per);
  const buf = x.heap_alloc(max << shift);
  if (buf === 0) throw new OutOfMemoryError(max << shift);
  try { retainRef(end.end, "Receiver"); } catch (err) { x.heap_free(buf); throw err; } // as in sendManyAsync
  try {
    let got = x.chan_try_recv_many(c, buf, max, kind);
    let code = x.chan_batch_code();
    if (got === 0 && code === Code.EMPTY) {
      const step = (): number => {
        got = x.chan_recv_many_step(c, buf, max, kind);
        return x.chan_batch_code();
      };
      code = await parkOnSeq(c, L.C_RECV_SEQ, step, () => x.chan_recv_done(c), timeout);
    }
    if (got === 0) throw recvFailure(code, opts?.timeout !== undefined, timeout);
    copyOut(buf, into, 0, got, shift);
    return got === max ? fillMore(x, c, buf, into, got, kind, shift, per) : got;
  } finally {
    x.heap_free(buf);
    releaseRef(end.end);
  }
}
