// RwLock<T>: std::sync::RwLock with parking_lot's try_read_for / try_write_for, over the futex
// RwLock of assembly/sync/rwlock.ts (writer-preferring: a waiting writer stops new readers, so
// readers cannot starve it). The value lives in shared memory (see value.ts).
//
//   const rw = new RwLock({ hits: 0 });
//   { using r = rw.read(); console.log(r.value.hits); }      // many readers at once
//   { using w = rw.write(); w.value.hits++; }                 // one writer, written back at unlock
//   const w = await rw.writeAsync({ timeout: 50 });           // where the thread may not block
//
// Poisoning follows Rust: a writer that panics poisons the lock; a panicking reader does not.
import { trackGuard, untrackGuard } from "./thread-guards";
import { engine, Engine } from "../engine";
import {
  SharedHandle, registerHandleType, adopt, takeAdopting, genOf, RawHandle, fromRawChecked, retainRef, releaseRef,
} from "../handle";
import { notSend } from "../codec";
import { Kind, kindOf, checkKind, writeSlot, clearSlot } from "../value";
import { getValue, setValue, flushValue } from "./guard-value";
import {
  Code, PoisonError, fromCode, checkTimeout, TimeoutError, OutOfMemoryError, MainThreadBlockError, DroppedError,
  InvalidArgumentError,
} from "../errors";
import { stepUntil } from "./step-async";

type Guard<T> = RwLockReadGuard<T> | RwLockWriteGuard<T>;

export class RwLock<T = unknown> extends SharedHandle {
  readonly #e: Engine;
  readonly #kind: number;
  readonly #slot: number;
  readonly #f64: Float64Array;
  #guards = 0;

  constructor(value: T) {
    const raw = takeAdopting() ?? createRwLock(value);
    super(raw.ptr, raw.gen);
    this.#e = engine();
    this.#kind = new Uint32Array(this.#e.memory.buffer)[(raw.ptr + this.#e.L.O_AUX) >>> 2];
    this.#slot = raw.ptr + this.#e.L.RW_VALUE;
    this.#f64 = new Float64Array(this.#e.memory.buffer); // covers the object: made after it
  }
  protected get tagName(): string { return "TAG_RWLOCK"; }

  /** Re-creates an RwLock from `intoRaw()` values, checked against the heap. */
  static fromRaw<T = unknown>(raw: RawHandle): RwLock<T> { return fromRawChecked("TAG_RWLOCK", raw, "RwLock"); }

  /** Blocks until read access is shared with the other readers. Throws PoisonError if a writer panicked. */
  read(): RwLockReadGuard<T> {
    return this.#lock(false, Infinity, "RwLock.read", "readAsync()") as RwLockReadGuard<T>;
  }

  /** Blocks until this thread has exclusive access. Throws PoisonError if a writer panicked. */
  write(): RwLockWriteGuard<T> {
    return this.#lock(true, Infinity, "RwLock.write", "writeAsync()") as RwLockWriteGuard<T>;
  }

  /** One attempt: a read guard, or null if a writer holds the lock or waits for it. */
  tryRead(): RwLockReadGuard<T> | null { return this.#try(false) as RwLockReadGuard<T> | null; }

  /** One attempt: a write guard, or null if anyone holds the lock. */
  tryWrite(): RwLockWriteGuard<T> | null { return this.#try(true) as RwLockWriteGuard<T> | null; }

  /** Waits at most `ms` milliseconds for read access: the guard, or null on timeout. */
  tryReadFor(ms: number): RwLockReadGuard<T> | null {
    checkTimeout(ms, "RwLock.tryReadFor");
    return this.#lock(false, ms, "RwLock.tryReadFor", "readAsync({ timeout })") as RwLockReadGuard<T> | null;
  }

  /** Waits at most `ms` milliseconds for write access: the guard, or null on timeout. */
  tryWriteFor(ms: number): RwLockWriteGuard<T> | null {
    checkTimeout(ms, "RwLock.tryWriteFor");
    return this.#lock(true, ms, "RwLock.tryWriteFor", "writeAsync({ timeout })") as RwLockWriteGuard<T> | null;
  }

  /** Resolves with a read guard; never blocks the thread. Rejects with TimeoutError after `timeout` ms. */
  async readAsync(opts: { timeout?: number } = {}): Promise<RwLockReadGuard<T>> {
    return this.#lockAsync(false, opts, "RwLock.readAsync") as Promise<RwLockReadGuard<T>>;
  }

  /** Resolves with a write guard; never blocks the thread. Rejects with TimeoutError after `timeout` ms. */
  async writeAsync(opts: { timeout?: number } = {}): Promise<RwLockWriteGuard<T>> {
    return this.#lockAsync(true, opts, "RwLock.writeAsync") as Promise<RwLockWriteGuard<T>>;
  }

  /** Whether a writer panicked while holding the lock. */
  isPoisoned(): boolean {
    return new Int32Array(this.#e.memory.buffer)[(this.ptr + this.#e.L.RW_POISON) >>> 2] !== 0;
  }

  /** Clears the poison flag (Rust's `RwLock::clear_poison`). */
  clearPoison(): void {
    Atomics.store(new Int32Array(this.#e.memory.buffer), (this.ptr + this.#e.L.RW_POISON) >>> 2, 0);
  }

  /** Write-locks, takes the value out, and drops this handle (Rust's `into_inner`). */
  intoInner(): T {
    const g = this.write();
    const v = g.value;
    g.unlock();
    this.drop();
    return v;
  }

  // ---- paths ---------------------------------------------------------------------------------

  #lock(write: boolean, ms: number, what: string, twin: string): Guard<T> | null {
    const ptr = this.ptr;
    if (!this.#e.canBlock) {
      if (ms === 0) return this.#try(write);
      throw new MainThreadBlockError(what, twin);
    }
    const x = this.#e.x;
    const code = write ? x.rwlock_write(ptr, ms) : x.rwlock_read(ptr, ms);
    if (code === Code.SUCCESS) return this.#guard(write, ptr);
    return code === Code.TIMEOUT ? null : this.#failed(write, code, ptr);
  }

  #try(write: boolean): Guard<T> | null {
    const ptr = this.ptr;
    const code = write ? this.#e.x.rwlock_try_write(ptr) : this.#e.x.rwlock_try_read(ptr);
    if (code === Code.SUCCESS) return this.#guard(write, ptr);
    return code === Code.WOULD_BLOCK ? null : this.#failed(write, code, ptr);
  }

  async #lockAsync(write: boolean, opts: { timeout?: number }, what: string): Promise<Guard<T>> {
    const timeout = checkTimeout(opts?.timeout ?? Infinity, what);
    const ptr = this.ptr;
    const { x, L } = this.#e;
    let code = write ? x.rwlock_try_write(ptr) : x.rwlock_try_read(ptr);
    if (code === Code.WOULD_BLOCK) {
      // Keep the object alive while parked, even if this handle is dropped meanwhile: a waiter
      // that was handed the lock must still take it (and pass it on) rather than vanish.
      retainRef(ptr, "RwLock");
      try {
        // Same protocol as the blocking slow paths: readers sleep on STATE, writers on NOTIFY.
        const index = (ptr + (write ? L.RW_NOTIFY : L.RW_STATE)) >>> 2;
        code = await stepUntil(
          () => (write ? x.rwlock_write_step(ptr) : x.rwlock_read_step(ptr)),
          () => [index, x.rwlock_step_wait_value()],
          performance.now() + timeout,
          // A waiting async writer is counted so unlocks also wake the blocked writers behind it.
          write ? () => x.rwlock_write_done(ptr) : undefined,
        );
        if (this.isDropped && (code === Code.SUCCESS || code === Code.POISONED)) {
          if (write) x.rwlock_write_unlock(ptr); else x.rwlock_read_unlock(ptr);
        }
      } finally {
        releaseRef(ptr);
      }
      if (this.isDropped) throw new DroppedError("RwLock");
      if (code === Code.TIMEOUT) throw new TimeoutError(what, timeout);
    }
    return code === Code.SUCCESS ? this.#guard(write, ptr) : this.#failed(write, code, ptr);
  }

  #guard(write: boolean, ptr: number): Guard<T> {
    return write ? new RwLockWriteGuard(this, ptr) : new RwLockReadGuard(this, ptr);
  }

  #failed(write: boolean, code: number, ptr: number): never {
    if (code !== Code.POISONED) throw fromCode(code, "RwLock");
    // Acquired, but poisoned: release before throwing, so an ignored error never leaks the lock.
    if (write) this.#e.x.rwlock_write_unlock(ptr); else this.#e.x.rwlock_read_unlock(ptr);
    throw new PoisonError<Guard<T>>("RwLock", () => this.#lockIgnoringPoison(write));
  }

  #lockIgnoringPoison(write: boolean): Guard<T> {
    const ptr = this.ptr;
    const x = this.#e.x;
    const code = write ? x.rwlock_write(ptr, Infinity) : x.rwlock_read(ptr, Infinity);
    if (code !== Code.SUCCESS && code !== Code.POISONED) throw fromCode(code, "RwLock");
    return this.#guard(write, ptr);
  }

  // ---- guard bookkeeping (internal) -------------------------------------------------------

  /** @internal */ get kind(): number { return this.#kind; }
  /** @internal */ get slot(): number { return this.#slot; }
  /** @internal */ get f64(): Float64Array { return this.#f64; }
  /** @internal */ get x() { return this.#e.x; }
  /** @internal */ guardOpened(): void { this.#guards++; }
  /** @internal */ guardClosed(): void { if (--this.#guards === 0) this.finishDeferredDrop(); }
  protected canDrop(): boolean { return this.#guards === 0; }
}

function createRwLock(value: unknown): RawHandle {
  const { x, L } = engine();
  const kind = L[kindOf(value)];
  const ptr = x.rwlock_new(kind);
  if (ptr === 0) throw new OutOfMemoryError(L.RWLOCK_SIZE);
  try {
    checkKind(kind, value);
    writeSlot(ptr + L.RW_VALUE, kind, value);
  } catch (e) {
    x.obj_release(ptr);
    x.obj_free(ptr);
    throw e;
  }
  return { ptr, gen: genOf(ptr) };
}

/** Shared read access to the value while the read lock is held. Bound to its thread (not Send). */
export class RwLockReadGuard<T = unknown> {
  readonly #l: RwLock<T>;
  readonly #ptr: number;
  #live = true;
  /** @internal structured value decoded by this guard (guard-value.ts). */
  anyCache: { value: unknown } | null = null;

  /** @internal */
  constructor(l: RwLock<T>, ptr: number) {
    this.#l = l;
    this.#ptr = ptr;
    l.guardOpened();
    trackGuard(this); // released at the end of the thread if still live
  }
  /** The value (read-only: assigning throws InvalidArgumentError; use `write()` to change it). */
  get value(): T {
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "RwLockReadGuard");
    const l = this.#l;
    if (l.kind === Kind.NUMBER) return l.f64[l.slot >>> 3] as T;
    return getValue(l, this) as T; // no writer can change the slot while we read: decoded once
  }

  /** Releases the read lock. A second unlock throws NotLockedError; dispose after unlock is a no-op. */
  unlock(): void {
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "RwLockReadGuard");
    const l = this.#l;
    this.anyCache = null; // read-only: nothing to write back
    const code = l.x.rwlock_read_unlock(this.#ptr);
    this.#live = false;
    untrackGuard(this);
    l.guardClosed();
    if (code !== Code.SUCCESS) throw fromCode(code, "RwLock");
  }

  [Symbol.dispose](): void { if (this.#live) this.unlock(); }
}

// The type says `readonly value`; at run time an assignment gets a typed error, not a TypeError.
{
  const proto = RwLockReadGuard.prototype;
  const get = Object.getOwnPropertyDescriptor(proto, "value")!.get;
  Object.defineProperty(proto, "value", {
    get,
    set(): void { throw new InvalidArgumentError("RwLockReadGuard.value is read-only: take a write() guard to change it"); },
    configurable: true,
  });
}

/** Exclusive access to the value while the write lock is held. Bound to its thread (not Send). */
export class RwLockWriteGuard<T = unknown> {
  readonly #l: RwLock<T>;
  readonly #ptr: number;
  #live = true;
  /** @internal structured value decoded by this guard (guard-value.ts). */
  anyCache: { value: unknown } | null = null;

  /** @internal */
  constructor(l: RwLock<T>, ptr: number) {
    this.#l = l;
    this.#ptr = ptr;
    l.guardOpened();
  }
  get value(): T {
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "RwLockWriteGuard");
    const l = this.#l;
    if (l.kind === Kind.NUMBER) return l.f64[l.slot >>> 3] as T;
    return getValue(l, this) as T;
  }

  set value(v: T) {
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "RwLockWriteGuard");
    const l = this.#l;
    if (l.kind === Kind.NUMBER && typeof v === "number") { l.f64[l.slot >>> 3] = v; return; }
    setValue(l, this, v);
  }

  /** Releases the lock. A second unlock throws NotLockedError; dispose after unlock is a no-op. */
  unlock(): void {
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "RwLockWriteGuard");
    const l = this.#l;
    const writeBack = flushValue(l, this); // before anyone else can see the slot
    const code = l.x.rwlock_write_unlock(this.#ptr);
    this.#live = false;
    l.guardClosed();
    if (code !== Code.SUCCESS) throw fromCode(code, "RwLock");
    if (writeBack !== null) throw writeBack;
  }

  [Symbol.dispose](): void { if (this.#live) this.unlock(); }
}

notSend(RwLockReadGuard, "RwLockReadGuard");
notSend(RwLockWriteGuard, "RwLockWriteGuard");

registerHandleType("TAG_RWLOCK", {
  name: "RwLock",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new RwLock(undefined)),
  destroy: (ptr) => {
    const { L } = engine();
    const kind = new Uint32Array(engine().memory.buffer)[(ptr + L.O_AUX) >>> 2];
    clearSlot(ptr + L.RW_VALUE, kind);
  },
});
