// Sender and Receiver: the two handle classes of a channel (crossbeam-channel's Sender<T> /
// Receiver<T>), over assembly/channel/.
//
// Design: a channel is one shared object (TAG_CHANNEL: the ring and the waker words) and two end
// objects, one per side (TAG_CHAN_SENDER, TAG_CHAN_RECEIVER), each pointing at it. A Sender or
// Receiver handle names its *end*; the end's reference count is that side's count, so clone()
// and drop() are the ordinary SharedHandle operations, handles travel to other threads like any
// weft handle (spawn args, messages), and the last drop of a side disconnects the channel (the
// end's destroy hook, assembly/channel/counter.ts). The channel pointer is cached per handle.
//
// Payloads (payload.ts): each message is one f64 in the slot; encode before sending (discard if
// the send fails), decode after receiving.
import { engine, Engine, views } from "../engine";
import { SharedHandle, registerHandleType, adopt, takeAdopting, RawHandle, fromRawChecked, releaseRef } from "../handle";
import {
  Code, fromCode, checkTimeout, MainThreadBlockError, InvalidArgumentError,
  SendError, RecvError, TrySendError, TryRecvError, SendTimeoutError, RecvTimeoutError, OutOfMemoryError,
} from "../errors";
import { parkOnSeq, awaitSelected } from "./park";
import { Payload, payloadFor, dropChannel } from "./payload";
import * as batch from "./batch";
import type { BatchEnd, BatchOptions, NumericArray, NumericInput } from "./batch";

/** The error of a send that failed other than Full/Timeout/Disconnected (the value was not sent). */
function sendFailure(code: number): Error {
  // An unbounded channel could not allocate its next block (engine().L.L_BLOCK_SIZE bytes).
  if (code === Code.OUT_OF_MEMORY) return new OutOfMemoryError(engine().L.L_BLOCK_SIZE);
  return fromCode(code, "Sender");
}

abstract class ChannelEnd extends SharedHandle {
  protected readonly e: Engine;
  readonly #chan: number;
  /** How messages of this channel become slot values (payload.ts). */
  protected readonly payload: Payload;

  protected constructor(raw: RawHandle) {
    super(raw.ptr, raw.gen);
    this.e = engine();
    this.#chan = this.e.x.chan_end_chan(raw.ptr);
    this.payload = payloadFor(views().u32[(this.#chan + this.e.L.O_AUX) >>> 2], this.e.L);
  }

  /** The channel pointer; throws DroppedError once this handle is closed. */
  protected get chan(): number {
    void this.ptr; // DroppedError after close()/drop()
    return this.#chan;
  }

  /** @internal select.ts: the channel pointer (DroppedError once closed) and the payload. */
  get selectChan(): number { return this.chan; }
  /** @internal */
  get selectPayload(): Payload { return this.payload; }

  /** Messages in the channel now. */
  get len(): number { return this.e.x.chan_len(this.chan); }
  /** The capacity the channel was made with: Infinity when unbounded, 0 for a rendezvous channel. */
  get capacity(): number {
    const { x, L } = this.e;
    const c = this.chan;
    return x.chan_flavor(c) === L.FLAVOR_LIST ? Infinity : x.chan_capacity(c);
  }
  isEmpty(): boolean { return this.len === 0; }
  /** Whether a send would block now (always false when unbounded, always true for rendezvous). */
  isFull(): boolean { return this.len === this.capacity; }
  /** Whether every handle of the other side (or of this side) was dropped. */
  isDisconnected(): boolean { return this.e.x.chan_is_disconnected(this.chan) !== 0; }

  /** Drops this handle (Rust: drop(tx)); the last handle of a side disconnects the channel. */
  close(): void { this.drop(); }

  /** What the batch operations (batch.ts) work with, for one call. */
  protected batchEnd(): BatchEnd {
    const chan = this.chan; // DroppedError once closed
    return { e: this.e, end: this.ptr, chan, payload: this.payload };
  }

  /** Runs `step` until it stops answering WOULD_BLOCK, parked on the futex word at `seqOffset`. */
  protected async stepAsync(step: () => number, done: () => void, seqOffset: number, timeout: number): Promise<number> {
    const { x } = this.e;
    const end = this.ptr;
    const c = this.#chan;
    // Our own reference to the end while parked: dropping this handle meanwhile does not
    // disconnect the channel under us.
    if (x.chan_end_retain(end) !== Code.SUCCESS) throw fromCode(Code.INVALID_HANDLE, this.constructor.name);
    try {
      return await parkOnSeq(c, seqOffset, step, done, timeout);
    } finally {
      releaseRef(end);
    }
  }

  /**
   * Waits for a rendezvous (zero flavor) send (`isSend`, slot value `v`) or receive: the engine
   * pairs it with a waiting peer or parks a context, whose SELECT word we await (context.ts).
   * Returns the code and, for a receive, the slot value read right after the finishing call.
   */
  protected async zeroAsync(isSend: boolean, v: number, timeout: number): Promise<[number, number]> {
    const { x, L } = this.e;
    const end = this.ptr;
    const c = this.#chan;
    if (x.chan_end_retain(end) !== Code.SUCCESS) throw fromCode(Code.INVALID_HANDLE, this.constructor.name);
    try {
      const deadline = performance.now() + timeout;
      let code = x.chan_zero_begin(c, isSend ? 1 : 0, v);
      if (code !== Code.WOULD_BLOCK) return [code, code === Code.SUCCESS && !isSend ? x.chan_value() : 0];
      const ctx = x.chan_zero_ctx();
      try {
        await awaitSelected(ctx, L.X_SELECT, L.SEL_WAITING, deadline);
      } finally {
        code = x.chan_zero_finish(c, ctx, isSend ? 1 : 0); // aborts if nobody decided: frees ctx
      }
      return [code, code === Code.SUCCESS && !isSend ? x.chan_value() : 0];
    } finally {
      releaseRef(end);
    }
  }
}

/** The sending side of a channel. Clone it for more producers; the last drop disconnects. */
export class Sender<T = number> extends ChannelEnd {
  /** @internal made by weft.bounded(); not constructible directly. */
  constructor() {
    const raw = takeAdopting();
    if (raw === null) throw new InvalidArgumentError("Sender: make channels with weft.bounded(cap)");
    super(raw);
  }
  protected get tagName(): string { return "TAG_CHAN_SENDER"; }

  /** Re-creates a Sender from `intoRaw()` values, checked against the heap. */
  static fromRaw<T = number>(raw: RawHandle): Sender<T> { return fromRawChecked("TAG_CHAN_SENDER", raw, "Sender"); }

  /** Sends `value`, blocking while the channel is full. Throws SendError (value back) once disconnected. */
  send(value: T): void {
    const c = this.chan;
    const v = this.payload.encode(value, "Sender.send");
    const { x } = this.e;
    let code = x.chan_try_send(c, v);
    if (code === Code.FULL) {
      if (!this.e.canBlock) { this.payload.discard(v); throw new MainThreadBlockError("Sender.send", "sendAsync()"); }
      code = x.chan_send(c, v, Infinity);
    }
    if (code === Code.SUCCESS) return;
    this.payload.discard(v);
    if (code === Code.DISCONNECTED) throw new SendError(value);
    throw sendFailure(code);
  }

  /** Sends `value` if a slot is free now; throws TrySendError "Full" | "Disconnected" (value back). */
  trySend(value: T): void {
    const c = this.chan;
    const v = this.payload.encode(value, "Sender.trySend");
    const code = this.e.x.chan_try_send(c, v);
    if (code === Code.SUCCESS) return;
    this.payload.discard(v);
    if (code === Code.FULL) throw new TrySendError("Full", value);
    if (code === Code.DISCONNECTED) throw new TrySendError("Disconnected", value);
    throw sendFailure(code);
  }

  /** Waits at most `ms` for a free slot; throws SendTimeoutError "Timeout" | "Disconnected" (value back). */
  sendTimeout(value: T, ms: number): void {
    checkTimeout(ms, "Sender.sendTimeout");
    const c = this.chan;
    const v = this.payload.encode(value, "Sender.sendTimeout");
    const { x } = this.e;
    let code = x.chan_try_send(c, v);
    if (code === Code.FULL && ms > 0) {
      if (!this.e.canBlock) {
        this.payload.discard(v);
        throw new MainThreadBlockError("Sender.sendTimeout", "sendAsync({ timeout })");
      }
      code = x.chan_send(c, v, ms);
    }
    if (code === Code.SUCCESS) return;
    this.payload.discard(v);
    if (code === Code.FULL || code === Code.TIMEOUT) throw new SendTimeoutError("Timeout", value, ms);
    if (code === Code.DISCONNECTED) throw new SendTimeoutError("Disconnected", value, ms);
    throw sendFailure(code);
  }

  /**
   * Resolves once `value` is sent; never blocks the thread. Rejects with SendError once
   * disconnected, or, given `timeout`, with SendTimeoutError ("Timeout" | "Disconnected").
   */
  async sendAsync(value: T, opts: { timeout?: number } = {}): Promise<void> {
    const timeout = checkTimeout(opts?.timeout ?? Infinity, "Sender.sendAsync");
    const c = this.chan;
    const v = this.payload.encode(value, "Sender.sendAsync");
    const { x, L } = this.e;
    let code: number;
    try {
      code = x.chan_try_send(c, v);
      if (code === Code.FULL && x.chan_flavor(c) === L.FLAVOR_ZERO) {
        code = (await this.zeroAsync(true, v, timeout))[0];
      } else if (code === Code.FULL) {
        code = await this.stepAsync(() => x.chan_send_step(c, v), () => x.chan_send_done(c), L.C_SEND_SEQ, timeout);
      }
    } catch (e) {
      this.payload.discard(v);
      throw e;
    }
    if (code === Code.SUCCESS) return;
    this.payload.discard(v);
    const timed = opts?.timeout !== undefined;
    if (code === Code.TIMEOUT) throw new SendTimeoutError("Timeout", value, timeout);
    if (code === Code.DISCONNECTED) throw timed ? new SendTimeoutError("Disconnected", value, timeout) : new SendError(value);
    throw sendFailure(code);
  }

  /**
   * Sends every element of `values` in order (a typed array of the channel's kind, or numbers),
   * blocking while the channel is full; one engine call per chunk (batch.ts). Throws
   * SendManyError (`.sent`, `.value` = the unsent rest) on disconnection, or, given `timeout`,
   * SendManyTimeoutError ("Timeout" | "Disconnected").
   */
  sendMany(values: NumericInput, opts?: BatchOptions): void { batch.sendMany(this.batchEnd(), values, opts); }

  /** sendMany that never blocks the thread: parks with Atomics.waitAsync while the channel is full. */
  sendManyAsync(values: NumericInput, opts?: BatchOptions): Promise<void> { return batch.sendManyAsync(this.batchEnd(), values, opts); }
}

/** The receiving side of a channel. Clone it for more consumers; iterate until disconnection. */
export class Receiver<T = number> extends ChannelEnd {
  /** @internal made by weft.bounded(); not constructible directly. */
  constructor() {
    const raw = takeAdopting();
    if (raw === null) throw new InvalidArgumentError("Receiver: make channels with weft.bounded(cap)");
    super(raw);
  }
  protected get tagName(): string { return "TAG_CHAN_RECEIVER"; }

  /** Re-creates a Receiver from `intoRaw()` values, checked against the heap. */
  static fromRaw<T = number>(raw: RawHandle): Receiver<T> { return fromRawChecked("TAG_CHAN_RECEIVER", raw, "Receiver"); }

  /** Blocks until a message arrives; throws RecvError once the channel is empty and disconnected. */
  recv(): T {
    const c = this.chan;
    const { x } = this.e;
    let code = x.chan_try_recv(c);
    if (code === Code.EMPTY) {
      if (!this.e.canBlock) throw new MainThreadBlockError("Receiver.recv", "recvAsync()");
      code = x.chan_recv(c, Infinity);
    }
    if (code === Code.SUCCESS) return this.payload.decode(x.chan_value()) as T;
    if (code === Code.DISCONNECTED) throw new RecvError();
    throw fromCode(code, "Receiver");
  }

  /** A message if one is there now; throws TryRecvError "Empty" | "Disconnected". */
  tryRecv(): T {
    const { x } = this.e;
    const code = x.chan_try_recv(this.chan);
    if (code === Code.SUCCESS) return this.payload.decode(x.chan_value()) as T;
    if (code === Code.EMPTY) throw new TryRecvError("Empty");
    if (code === Code.DISCONNECTED) throw new TryRecvError("Disconnected");
    throw fromCode(code, "Receiver");
  }

  /** Waits at most `ms` for a message; throws RecvTimeoutError "Timeout" | "Disconnected". */
  recvTimeout(ms: number): T {
    checkTimeout(ms, "Receiver.recvTimeout");
    const c = this.chan;
    const { x } = this.e;
    let code = x.chan_try_recv(c);
    if (code === Code.EMPTY && ms > 0) {
      if (!this.e.canBlock) throw new MainThreadBlockError("Receiver.recvTimeout", "recvAsync({ timeout })");
      code = x.chan_recv(c, ms);
    }
    if (code === Code.SUCCESS) return this.payload.decode(x.chan_value()) as T;
    if (code === Code.EMPTY || code === Code.TIMEOUT) throw new RecvTimeoutError("Timeout", ms);
    if (code === Code.DISCONNECTED) throw new RecvTimeoutError("Disconnected", ms);
    throw fromCode(code, "Receiver");
  }

  /**
   * Resolves with the next message; never blocks the thread. Rejects with RecvError once empty
   * and disconnected, or, given `timeout`, with RecvTimeoutError ("Timeout" | "Disconnected").
   */
  async recvAsync(opts: { timeout?: number } = {}): Promise<T> {
    const timeout = checkTimeout(opts?.timeout ?? Infinity, "Receiver.recvAsync");
    const c = this.chan;
    const { x, L } = this.e;
    let code = x.chan_try_recv(c);
    if (code === Code.SUCCESS) return this.payload.decode(x.chan_value()) as T;
    // chan_value is this thread's *last* receive: read it right after the successful step, as
    // other receives on this thread (another recvAsync) may run before our await resumes.
    let value = 0;
    if (code === Code.EMPTY && x.chan_flavor(c) === L.FLAVOR_ZERO) {
      [code, value] = await this.zeroAsync(false, 0, timeout);
    } else if (code === Code.EMPTY) {
      const step = (): number => {
        const r = x.chan_recv_step(c);
        if (r === Code.SUCCESS) value = x.chan_value();
        return r;
      };
      code = await this.stepAsync(step, () => x.chan_recv_done(c), L.C_RECV_SEQ, timeout);
    }
    if (code === Code.SUCCESS) return this.payload.decode(value) as T;
    const timed = opts?.timeout !== undefined;
    if (code === Code.TIMEOUT) throw new RecvTimeoutError("Timeout", timeout);
    if (code === Code.DISCONNECTED) throw timed ? new RecvTimeoutError("Disconnected", timeout) : new RecvError();
    throw fromCode(code, "Receiver");
  }

  /**
   * Blocks for one message, then takes as many more as are there, up to `into.length` (a typed
   * array of the channel's kind); returns the count (>= 1). Throws RecvError once the channel is
   * empty and disconnected, or, given `timeout`, RecvTimeoutError ("Timeout" | "Disconnected").
   */
  recvMany(into: NumericArray, opts?: BatchOptions): number { return batch.recvMany(this.batchEnd(), into, opts); }

  /** recvMany that never blocks the thread: parks with Atomics.waitAsync while the channel is empty. */
  recvManyAsync(into: NumericArray, opts?: BatchOptions): Promise<number> { return batch.recvManyAsync(this.batchEnd(), into, opts); }

  /** Blocking iteration: yields messages until the channel is empty and disconnected. */
  *[Symbol.iterator](): Iterator<T> {
    for (;;) {
      let v: T;
      try { v = this.recv(); } catch (e) { if (e instanceof RecvError) return; throw e; }
      yield v;
    }
  }

  /** Async iteration: as the blocking one, on recvAsync. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      let v: T;
      try { v = await this.recvAsync(); } catch (e) { if (e instanceof RecvError) return; throw e; }
      yield v;
    }
  }
}

const destroyEnd = (ptr: number): void => {
  const { x } = engine();
  const c = x.chan_end_destroy(ptr);
  if (c !== 0) dropChannel(c); // the last end of a channel of message blocks: drain, then free
};
registerHandleType("TAG_CHAN_SENDER", {
  name: "Sender",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new Sender()),
  destroy: destroyEnd,
});
registerHandleType("TAG_CHAN_RECEIVER", {
  name: "Receiver",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new Receiver()),
  destroy: destroyEnd,
});
