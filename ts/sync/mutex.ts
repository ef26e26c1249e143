// Mutex<T>: std::sync::Mutex with parking_lot's try_lock_for, over the futex mutex of
// assembly/sync/mutex.ts. The value lives in shared memory (see value.ts); a guard gives access
// to it while the lock is held.
//
//   const m = new Mutex(0);
//   { using g = m.lock(); g.value += 1; }          // unlocked at the end of the block
//   const g = m.tryLockFor(10); if (g) { …; g.unlock(); }
//   const g2 = await m.lockAsync();                // where the thread may not block
import { engine, Engine } from "../engine";
import {
  SharedHandle, registerHandleType, adopt, takeAdopting, genOf, RawHandle, fromRawChecked, retainRef, releaseRef,
} from "../handle";
import { notSend } from "../codec";
import { Kind, kindOf, checkKind, writeSlot, clearSlot } from "../value";
import { getValue, setValue, flushValue } from "./guard-value";
import {
  Code, PoisonError, fromCode, checkTimeout, TimeoutError, OutOfMemoryError, MainThreadBlockError,
} from "../errors";
import { waitAsync } from "../keepalive";

export class Mutex<T = unknown> extends SharedHandle {
  readonly #e: Engine;
  readonly #kind: number;
  readonly #slot: number;
  readonly #f64: Float64Array;
  // The fast path's engine exports, bound once (saves property loads per lock).
  readonly #lock: (ptr: number, timeoutMs: number) => number;
  readonly #unlock: (ptr: number) => number;
  // The object's address while this handle may take the fast path (alive, on a thread that may
  // block), else 0: one check covers use-after-drop and the browser main thread.
  #fast: number;
  #guards = 0;

  constructor(value: T) {
    const raw = takeAdopting() ?? createMutex(value);
    super(raw.ptr, raw.gen);
    this.#e = engine();
    this.#kind = new Uint32Array(this.#e.memory.buffer)[(raw.ptr + this.#e.L.O_AUX) >>> 2];
    this.#slot = raw.ptr + this.#e.L.M_VALUE;
    this.#f64 = new Float64Array(this.#e.memory.buffer); // covers the object: made after it
    this.#lock = this.#e.x.mutex_lock;
    this.#unlock = this.#e.x.mutex_unlock;
    this.#fast = this.#e.canBlock ? raw.ptr : 0;
    this.numberIndex = this.#kind === Kind.NUMBER ? this.#slot >>> 3 : -1;
  }
  protected get tagName(): string { return "TAG_MUTEX"; }
  protected released(): void { this.#fast = 0; }

  /** Re-creates a Mutex from `intoRaw()` values, checked against the heap. */
  static fromRaw<T = unknown>(raw: RawHandle): Mutex<T> { return fromRawChecked("TAG_MUTEX", raw, "Mutex"); }

  /** Blocks until the lock is held. Throws PoisonError if a holder panicked. */
  lock(): MutexGuard<T> {
    const ptr = this.#fast;
    if (ptr === 0) return this.#lockCold();
    const code = this.#lock(ptr, Infinity);
    if (code !== 0 /* SUCCESS */) return this.#failed(code, ptr);
    return new MutexGuard(this, ptr);
  }

  #lockCold(): MutexGuard<T> {
    this.ptr; // throws DroppedError
    return this.#noBlock("Mutex.lock", "lockAsync()");
  }

  /** One attempt: the guard, or null if another thread holds the lock. */
  tryLock(): MutexGuard<T> | null {
    const ptr = this.ptr;
    const code = this.#e.x.mutex_try_lock(ptr);
    if (code === Code.SUCCESS) return new MutexGuard(this, ptr);
    return code === Code.WOULD_BLOCK ? null : this.#failed(code, ptr);
  }

  /** Waits at most `ms` milliseconds: the guard, or null on timeout. */
  tryLockFor(ms: number): MutexGuard<T> | null {
    checkTimeout(ms, "Mutex.tryLockFor");
    const ptr = this.ptr;
    if (!this.#e.canBlock) return ms === 0 ? this.tryLock() : this.#noBlock("Mutex.tryLockFor", "lockAsync({ timeout })");
    const code = this.#e.x.mutex_lock(ptr, ms);
    if (code === Code.SUCCESS) return new MutexGuard(this, ptr);
    return code === Code.TIMEOUT ? null : this.#failed(code, ptr);
  }

  /** Resolves with the guard once held; never blocks the thread. Rejects with TimeoutError after `timeout` ms. */
  async lockAsync(opts: { timeout?: number } = {}): Promise<MutexGuard<T>> {
    const timeout = checkTimeout(opts.timeout ?? Infinity, "Mutex.lockAsync");
    const ptr = this.ptr;
    const x = this.#e.x;
    let code = x.mutex_try_lock(ptr);
    if (code === Code.WOULD_BLOCK) {
      const deadline = performance.now() + timeout;
      const i32 = new Int32Array(this.#e.memory.buffer);
      const stateIdx = (ptr + this.#e.L.M_STATE) >>> 2;
      // Our own reference while parked: mutex_lock_done writes to the object after the wait.
      retainRef(ptr, "Mutex");
      try {
        // Same protocol as the blocking slow path: announce a sleeper (state 2), sleep on the word.
        // A WOULD_BLOCK step also counts us as an async waiter (so unlocks wake the blocked
        // threads queued behind us too: assembly/sync/mutex.ts), withdrawn after the wait.
        while ((code = x.mutex_lock_step(ptr)) === Code.WOULD_BLOCK) {
          try {
            const left = deadline - performance.now();
            if (left <= 0) throw new TimeoutError("Mutex.lockAsync", timeout);
            await waitAsync(i32, stateIdx, 2, left);
          } finally {
            x.mutex_lock_done(ptr);
          }
          this.ptr; // throws DroppedError if the handle was dropped meanwhile
        }
      } finally {
        releaseRef(ptr);
      }
    }
    return code === Code.SUCCESS ? new MutexGuard(this, ptr) : this.#failed(code, ptr);
  }

  /** Whether a thread panicked while holding the lock. */
  isPoisoned(): boolean {
    return new Int32Array(this.#e.memory.buffer)[(this.ptr + this.#e.L.M_POISON) >>> 2] !== 0;
  }

  /** Clears the poison flag (Rust's `Mutex::clear_poison`). */
  clearPoison(): void {
    Atomics.store(new Int32Array(this.#e.memory.buffer), (this.ptr + this.#e.L.M_POISON) >>> 2, 0);
  }

  /**
   * Unlocks without a guard (parking_lot's `force_unlock`, for guards lost to the program, e.g.
   * after `intoRaw`-style hand-offs). Only the holding thread may: others get NotOwnerError, and
   * an unlocked mutex NotLockedError. Guards of this thread become unusable.
   */
  forceUnlock(): void {
    const code = this.#e.x.mutex_unlock(this.ptr);
    if (code !== Code.SUCCESS) throw fromCode(code, "Mutex");
  }

  /** Locks, takes the value out, and drops this handle (Rust's `into_inner`). */
  intoInner(): T {
    const g = this.lock();
    const v = g.value;
    g.unlock();
    this.drop();
    return v;
  }

  // ---- cold paths ---------------------------------------------------------------------------

  #failed(code: number, ptr: number): never | MutexGuard<T> {
    if (code !== Code.POISONED) throw fromCode(code, "Mutex");
    // Acquired, but poisoned: release before throwing, so an ignored error never leaks the lock.
    this.#e.x.mutex_unlock(ptr);
    throw new PoisonError<MutexGuard<T>>("Mutex", () => this.#lockIgnoringPoison());
  }

  #lockIgnoringPoison(): MutexGuard<T> {
    const ptr = this.ptr;
    const code = this.#e.x.mutex_lock(ptr, Infinity);
    if (code !== Code.SUCCESS && code !== Code.POISONED) throw fromCode(code, "Mutex");
    return new MutexGuard(this, ptr);
  }

  #noBlock(what: string, twin: string): never {
    throw new MainThreadBlockError(what, twin);
  }

  // ---- guard bookkeeping (internal) -------------------------------------------------------

  /** @internal */ get kind(): number { return this.#kind; }
  /** @internal index of a number value in `f64`, or -1 for other kinds (the guard's fast path). */
  readonly numberIndex: number;
  /** @internal */ get slot(): number { return this.#slot; }
  /** @internal */ get f64(): Float64Array { return this.#f64; }
  /** @internal */ get x() { return this.#e.x; }
  /** @internal */ get unlockFn(): (ptr: number) => number { return this.#unlock; }
  /** @internal */ guardOpened(): void { this.#guards++; }
  /** @internal */ guardClosed(): void { if (--this.#guards === 0) this.finishDeferredDrop(); }
  /** @internal the guard's unlock: releases, then finishes a drop deferred by live guards. */
  unlockRaw(ptr: number): number {
    const code = this.#unlock(ptr);
    if (--this.#guards === 0 && this.dropDeferred) this.finishDeferredDrop();
    return code;
  }
  protected canDrop(): boolean { return this.#guards === 0; }
}

function createMutex(value: unknown): RawHandle {
  const { x, L } = engine();
  const kind = L[kindOf(value)];
  const ptr = x.mutex_new(kind);
  if (ptr === 0) throw new OutOfMemoryError(L.MUTEX_SIZE);
  try {
    checkKind(kind, value);
    writeSlot(ptr + L.M_VALUE, kind, value);
  } catch (e) {
    x.obj_release(ptr);
    x.obj_free(ptr);
    throw e;
  }
  return { ptr, gen: genOf(ptr) };
}

/** Access to the value while the lock is held. Bound to the locking thread (not Send). */
export class MutexGuard<T = unknown> {
  readonly #m: Mutex<T>;
  readonly #ptr: number;
  #live = true;
  /** @internal structured value decoded by this guard (guard-value.ts). */
  anyCache: { value: unknown } | null = null;

  /** @internal */
  constructor(m: Mutex<T>, ptr: number) {
    this.#m = m;
    this.#ptr = ptr;
    m.guardOpened();
  }
  get value(): T {
    const m = this.#m;
    const i = m.numberIndex;
    if (i >= 0 && this.#live) return m.f64[i] as T; // fast path: a number slot
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "MutexGuard");
    return getValue(m, this) as T;
  }

  set value(v: T) {
    const m = this.#m;
    const i = m.numberIndex;
    if (i >= 0 && this.#live && typeof v === "number") { m.f64[i] = v; return; } // fast path
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "MutexGuard");
    setValue(m, this, v);
  }

  /** Releases the lock. A second unlock throws NotLockedError; dispose after unlock is a no-op. */
  unlock(): void {
    if (!this.#live || this.anyCache !== null) return this.#unlockCold();
    this.#live = false;
    const code = this.#m.unlockRaw(this.#ptr);
    if (code !== 0 /* SUCCESS */) throw fromCode(code, "Mutex");
  }

  #unlockCold(): void {
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "MutexGuard");
    const writeBack = flushValue(this.#m, this); // before anyone else can see the slot
    this.#live = false;
    const code = this.#m.unlockRaw(this.#ptr);
    if (code !== 0 /* SUCCESS */) throw fromCode(code, "Mutex");
    if (writeBack !== null) throw writeBack;
  }

  [Symbol.dispose](): void { if (this.#live) this.unlock(); }

  // ---- Condvar hooks (internal): the wait releases and retakes the lock under this guard ----

  /** @internal */ get mutex(): Mutex<T> { return this.#m; }

  /**
   * @internal Before a Condvar wait releases the lock: writes a structured value back, makes the
   * guard unusable until `resume()`, and returns the mutex address.
   */
  suspend(): number {
    if (!this.#live) throw fromCode(Code.NOT_LOCKED, "MutexGuard");
    // A mutation that can no longer be encoded: the old value stays, the wait is not started
    // (the guard still holds the lock), and the error is thrown.
    const writeBack = flushValue(this.#m, this);
    if (writeBack !== null) throw writeBack;
    this.#live = false;
    return this.#ptr;
  }

  /** @internal After a Condvar wait took the lock again. */
  resume(): void { this.#live = true; }
}

notSend(MutexGuard, "MutexGuard");

registerHandleType("TAG_MUTEX", {
  name: "Mutex",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new Mutex(undefined)),
  destroy: (ptr) => {
    const { L } = engine();
    const kind = new Uint32Array(engine().memory.buffer)[(ptr + L.O_AUX) >>> 2];
    clearSlot(ptr + L.M_VALUE, kind);
  },
});
