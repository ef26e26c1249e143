// Every error weft throws, created in one place. Each has a stable `code` string; wasm result
// codes (assembly/layout.ts) map to these classes through `fromCode`.

/** Base class of every weft error. */
export class WeftError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A lock whose holder panicked. Rust's `PoisonError`: `intoInner()` gives the guard anyway. */
export class PoisonError<G> extends WeftError {
  readonly #relock: () => G;
  constructor(what: string, relock: () => G) {
    super("POISONED", `${what} is poisoned: a thread panicked while holding it`);
    this.#relock = relock;
  }
  /**
   * Acquires the lock ignoring the poison and returns its guard (Rust's `into_inner`).
   * weft releases the lock before throwing, so a caught-and-ignored PoisonError never leaks a
   * held lock; `intoInner` therefore locks again (blocking, like `lock`).
   */
  intoInner(): G { return this.#relock(); }
}

/** A thread's task threw or trapped; carries the original error's name, message and stack. */
export class ThreadPanic extends WeftError {
  readonly threadName: string | undefined;
  readonly threadId: number;
  readonly originalName: string;
  readonly originalStack: string | undefined;
  constructor(info: { name: string; message: string; stack?: string }, threadId: number, threadName?: string) {
    super("THREAD_PANIC", `thread '${threadName ?? `#${threadId}`}' panicked: ${info.name}: ${info.message}`);
    this.threadName = threadName;
    this.threadId = threadId;
    this.originalName = info.name;
    this.originalStack = info.stack;
    if (info.stack) this.stack = `${this.name}: ${this.message}\n--- in the thread ---\n${info.stack}`;
  }
}

/** A Once whose initialiser threw (Rust panics on a poisoned Once); `callOnceForce` still runs. */
export class OncePoisonedError extends WeftError {
  constructor(what: string) { super("ONCE_POISONED", `${what} is poisoned: an earlier initialiser threw`); }
}

export class TimeoutError extends WeftError {
  constructor(what: string, ms: number) { super("TIMEOUT", `${what} timed out after ${ms} ms`); }
}
export class InvalidHandleError extends WeftError {
  constructor(what: string) { super("INVALID_HANDLE", `${what}: not a live weft object of that type (forged, stale or freed handle)`); }
}
export class DroppedError extends WeftError {
  constructor(what: string) { super("DROPPED", `${what} was used after drop()`); }
}
export class OutOfMemoryError extends WeftError {
  constructor(bytes: number) { super("OUT_OF_MEMORY", `out of shared memory allocating ${bytes} bytes (raise init({ memory: { maximumMiB } }))`); }
}
export class HeapError extends WeftError {}
export class NotOwnerError extends WeftError {
  constructor(what: string) { super("NOT_OWNER", `${what} is held by another thread: only the holder may unlock it`); }
}
export class NotLockedError extends WeftError {
  constructor(what: string) { super("NOT_LOCKED", `${what} is not locked (double unlock?)`); }
}
export class WouldDeadlockError extends WeftError {
  constructor(what: string) { super("WOULD_DEADLOCK", `${what}: this thread already holds it, so a blocking wait here could never end`); }
}
export class InvalidArgumentError extends WeftError {
  constructor(message: string) { super("INVALID_ARGUMENT", message); }
}
export class UnsupportedValueError extends WeftError {
  constructor(message: string) { super("UNSUPPORTED_VALUE", message); }
}
export class NotSendError extends WeftError {
  constructor(what: string) { super("NOT_SEND", `${what} cannot be sent to another thread (it is bound to the thread that created it)`); }
}
export class OrderingError extends WeftError {
  constructor(message: string) { super("INVALID_ORDERING", message); }
}
export class NotInitializedError extends WeftError {
  constructor() { super("NOT_INITIALIZED", "weft is not initialised: await weft.init() first"); }
}
export class ThreadLimitError extends WeftError {
  constructor(max: number) { super("THREAD_LIMIT", `cannot start more than ${max} threads`); }
}
export class MainThreadBlockError extends WeftError {
  constructor(what: string, twin: string) { super("MAIN_THREAD_BLOCK", `${what} would block this thread, which may not block: use ${twin}`); }
}

// ---- channels (crossbeam-channel's err.rs): each send error hands the unsent value back -----

/** `send` on a channel whose receivers are all gone; `.value` is the message, not sent. */
export class SendError<T = unknown> extends WeftError {
  readonly value: T;
  constructor(value: T) {
    super("DISCONNECTED", "sending on a disconnected channel (every Receiver was dropped)");
    this.value = value;
  }
}
/** `recv` on a channel that is empty and whose senders are all gone. */
export class RecvError extends WeftError {
  constructor() { super("DISCONNECTED", "receiving on an empty and disconnected channel (every Sender was dropped)"); }
}
/** `trySend` failed: kind "Full" (no free slot now) or "Disconnected"; `.value` is the message. */
export class TrySendError<T = unknown> extends WeftError {
  readonly kind: "Full" | "Disconnected";
  readonly value: T;
  constructor(kind: "Full" | "Disconnected", value: T) {
    super(kind === "Full" ? "FULL" : "DISCONNECTED", kind === "Full"
      ? "sending on a full channel" : "sending on a disconnected channel (every Receiver was dropped)");
    this.kind = kind;
    this.value = value;
  }
  isFull(): boolean { return this.kind === "Full"; }
  isDisconnected(): boolean { return this.kind === "Disconnected"; }
}
/** `tryRecv` failed: kind "Empty" (no message now) or "Disconnected" (empty, senders gone). */
export class TryRecvError extends WeftError {
  readonly kind: "Empty" | "Disconnected";
  constructor(kind: "Empty" | "Disconnected") {
    super(kind === "Empty" ? "EMPTY" : "DISCONNECTED", kind === "Empty"
      ? "receiving on an empty channel" : "receiving on an empty and disconnected channel (every Sender was dropped)");
    this.kind = kind;
  }
  isEmpty(): boolean { return this.kind === "Empty"; }
  isDisconnected(): boolean { return this.kind === "Disconnected"; }
}
/** `sendTimeout` / `sendAsync({ timeout })` failed: "Timeout" or "Disconnected"; `.value` is the message. */
export class SendTimeoutError<T = unknown> extends WeftError {
  readonly kind: "Timeout" | "Disconnected";
  readonly value: T;
  constructor(kind: "Timeout" | "Disconnected", value: T, ms: number) {
    super(kind === "Timeout" ? "TIMEOUT" : "DISCONNECTED", kind === "Timeout"
      ? `sending timed out after ${ms} ms (the channel stayed full)` : "sending on a disconnected channel (every Receiver was dropped)");
    this.kind = kind;
    this.value = value;
  }
  isTimeout(): boolean { return this.kind === "Timeout"; }
  isDisconnected(): boolean { return this.kind === "Disconnected"; }
}
/** `recvTimeout` / `recvAsync({ timeout })` failed: "Timeout" or "Disconnected". */
export class RecvTimeoutError extends WeftError {
  readonly kind: "Timeout" | "Disconnected";
  constructor(kind: "Timeout" | "Disconnected", ms: number) {
    super(kind === "Timeout" ? "TIMEOUT" : "DISCONNECTED", kind === "Timeout"
      ? `receiving timed out after ${ms} ms (the channel stayed empty)` : "receiving on an empty and disconnected channel (every Sender was dropped)");
    this.kind = kind;
  }
  isTimeout(): boolean { return this.kind === "Timeout"; }
  isDisconnected(): boolean { return this.kind === "Disconnected"; }
}

/** A select (`weft.select`, `Select.selectTimeout`, …) in which no operation completed in time. */
export class SelectTimeoutError extends WeftError {
  constructor(what: string, ms: number) { super("TIMEOUT", `${what}: no operation became ready within ${ms} ms`); }
}

/**
 * `sendMany` / `sendManyAsync` stopped on disconnection: the first `.sent` messages were sent,
 * `.value` holds the rest (same array type as given), which was not.
 */
export class SendManyError<T = unknown> extends SendError<T> {
  readonly sent: number;
  constructor(value: T, sent: number) {
    super(value);
    this.sent = sent;
    this.message = `sending on a disconnected channel (every Receiver was dropped) after ${sent} message(s)`;
  }
}
/** `sendMany({ timeout })` / `sendManyAsync({ timeout })` stopped: as SendManyError, kind "Timeout" | "Disconnected". */
export class SendManyTimeoutError<T = unknown> extends SendTimeoutError<T> {
  readonly sent: number;
  constructor(kind: "Timeout" | "Disconnected", value: T, sent: number, ms: number) {
    super(kind, value, ms);
    this.sent = sent;
    this.message = `${this.message}; ${sent} message(s) were sent`;
  }
}

/** Numeric result codes of the engine ABI (mirrors assembly/layout.ts; checked at init). */
export const enum Code {
  SUCCESS = 0, WOULD_BLOCK = 1, TIMEOUT = 2, POISONED = 3, NOT_OWNER = 4, INVALID_HANDLE = 5,
  OUT_OF_MEMORY = 6, DOUBLE_FREE = 7, INVALID_POINTER = 8, WOULD_DEADLOCK = 9, NOT_LOCKED = 10,
  INVALID_ARGUMENT = 11, ONCE_POISONED = 12, FULL = 13, EMPTY = 14, DISCONNECTED = 15,
}

/** Turns a non-success code into the typed error for `what` (the object it concerns). */
export function fromCode(code: number, what: string): WeftError {
  switch (code) {
    case Code.NOT_OWNER: return new NotOwnerError(what);
    case Code.NOT_LOCKED: return new NotLockedError(what);
    case Code.WOULD_DEADLOCK: return new WouldDeadlockError(what);
    case Code.INVALID_HANDLE: return new InvalidHandleError(what);
    case Code.OUT_OF_MEMORY: return new OutOfMemoryError(0);
    case Code.DOUBLE_FREE: return new HeapError("DOUBLE_FREE", `${what}: block freed twice`);
    case Code.INVALID_POINTER: return new HeapError("INVALID_POINTER", `${what}: not a block of the shared heap`);
    case Code.INVALID_ARGUMENT: return new InvalidArgumentError(`${what}: invalid argument`);
    case Code.ONCE_POISONED: return new OncePoisonedError(what);
    case Code.FULL: return new TrySendError("Full", undefined);
    case Code.EMPTY: return new TryRecvError("Empty");
    case Code.DISCONNECTED: return new RecvError();
    default: return new WeftError("INTERNAL", `${what}: unexpected engine result ${code}`);
  }
}

/** Validates a timeout in milliseconds: a number >= 0 (Infinity allowed). */
export function checkTimeout(ms: unknown, what: string): number {
  if (typeof ms !== "number" || Number.isNaN(ms) || ms < 0) {
    throw new InvalidArgumentError(`${what}: timeout must be a number of milliseconds >= 0, got ${String(ms)}`);
  }
  return ms;
}
