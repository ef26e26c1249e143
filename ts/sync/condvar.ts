// Condvar: std::sync::Condvar over the futex condvar of assembly/sync/condvar.ts, used with a
// Mutex guard. A wait releases the mutex, sleeps until notified, and takes the mutex again
// before returning; the guard passed in is the guard returned (the same object), unusable only
// while the wait is in progress.
//
//   const m = new Mutex(0), cv = new Condvar();
//   // consumer                                   // producer
//   using g = m.lock();                            { using g = m.lock(); g.value += 1; }
//   cv.waitWhile(g, (n) => n === 0);               cv.notifyOne();
//
// Wake-ups can be spurious: wait in a loop on the condition, or use waitWhile.
// Poisoning: if the mutex was poisoned when the wait took it back, the wait throws PoisonError
// whose intoInner() returns the guard, which still holds the lock (Rust's PoisonError<Guard>).
import { engine, Engine, views } from "../engine";
import { SharedHandle, registerHandleType, adopt, takeAdopting, genOf, RawHandle, fromRawChecked, retainRef, releaseRef } from "../handle";
import {
  Code, PoisonError, fromCode, checkTimeout, TimeoutError, OutOfMemoryError, MainThreadBlockError, InvalidArgumentError,
} from "../errors";
import { MutexGuard } from "./mutex";
import { waitAsync } from "../keepalive";
import { stepUntil } from "./step-async";

export interface WaitTimeoutResult<T> { guard: MutexGuard<T>; timedOut: boolean; }

export class Condvar extends SharedHandle {
  readonly #e: Engine;

  constructor() {
    const raw = takeAdopting() ?? createCondvar();
    super(raw.ptr, raw.gen);
    this.#e = engine();
  }
  protected get tagName(): string { return "TAG_CONDVAR"; }

  /** Re-creates a Condvar from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): Condvar { return fromRawChecked("TAG_CONDVAR", raw, "Condvar"); }

  /** Releases the guard's mutex, blocks until notified, relocks. Returns the same guard. */
  wait<T>(guard: MutexGuard<T>): MutexGuard<T> {
    this.#waitSync(guard, Infinity, "Condvar.wait", false);
    return guard;
  }

  /** Like wait, for at most `ms` milliseconds; `timedOut` tells whether the time ran out. */
  waitTimeout<T>(guard: MutexGuard<T>, ms: number): WaitTimeoutResult<T> {
    checkTimeout(ms, "Condvar.waitTimeout");
    return { guard, timedOut: this.#waitSync(guard, ms, "Condvar.waitTimeout", true) };
  }

  /** Waits while `condition(value)` is true (checked first, and after every wake-up). */
  waitWhile<T>(guard: MutexGuard<T>, condition: (value: T) => boolean): MutexGuard<T> {
    checkCondition(condition, "Condvar.waitWhile");
    while (condition(guard.value)) this.wait(guard);
    return guard;
  }

  /** waitWhile for at most `ms` ms; `timedOut` is true if the condition still held at the end. */
  waitTimeoutWhile<T>(guard: MutexGuard<T>, ms: number, condition: (value: T) => boolean): WaitTimeoutResult<T> {
    checkTimeout(ms, "Condvar.waitTimeoutWhile");
    checkCondition(condition, "Condvar.waitTimeoutWhile");
    const deadline = performance.now() + ms;
    while (condition(guard.value)) {
      const left = deadline - performance.now();
      if (left <= 0) return { guard, timedOut: true };
      this.#waitSync(guard, left, "Condvar.waitTimeoutWhile", true);
    }
    return { guard, timedOut: false };
  }

  /**
   * The non-blocking wait: resolves with the same guard once notified and relocked. Rejects with
   * TimeoutError after `timeout` ms (the guard holds the lock again even then).
   */
  async waitAsync<T>(guard: MutexGuard<T>, opts: { timeout?: number } = {}): Promise<MutexGuard<T>> {
    const timeout = checkTimeout(opts?.timeout ?? Infinity, "Condvar.waitAsync");
    if (await this.#waitAsync(guard, timeout, "Condvar.waitAsync", false)) throw new TimeoutError("Condvar.waitAsync", timeout);
    return guard;
  }

  /** waitTimeout without blocking the thread. */
  async waitTimeoutAsync<T>(guard: MutexGuard<T>, ms: number): Promise<WaitTimeoutResult<T>> {
    checkTimeout(ms, "Condvar.waitTimeoutAsync");
    return { guard, timedOut: await this.#waitAsync(guard, ms, "Condvar.waitTimeoutAsync", true) };
  }

  /** waitWhile without blocking the thread; rejects with TimeoutError after `timeout` ms. */
  async waitWhileAsync<T>(guard: MutexGuard<T>, condition: (value: T) => boolean, opts: { timeout?: number } = {}): Promise<MutexGuard<T>> {
    const timeout = checkTimeout(opts?.timeout ?? Infinity, "Condvar.waitWhileAsync");
    checkCondition(condition, "Condvar.waitWhileAsync");
    const deadline = performance.now() + timeout;
    while (condition(guard.value)) {
      const left = deadline - performance.now();
      if (left <= 0) throw new TimeoutError("Condvar.waitWhileAsync", timeout);
      await this.#waitAsync(guard, left, "Condvar.waitWhileAsync", false);
    }
    return guard;
  }

  /** Wakes one waiting thread, if any. */
  notifyOne(): void { this.#e.x.condvar_notify_one(this.ptr); }

  /** Wakes every waiting thread. */
  notifyAll(): void { this.#e.x.condvar_notify_all(this.ptr); }

  // ---- paths ---------------------------------------------------------------------------------

  /** Blocking wait in the engine; returns whether it timed out. */
  #waitSync<T>(guard: MutexGuard<T>, ms: number, what: string, timed: boolean): boolean {
    checkGuard(guard, what);
    const cv = this.ptr;
    if (!this.#e.canBlock) throw new MainThreadBlockError(what, timed ? "waitTimeoutAsync()" : "waitAsync()");
    const deadline = performance.now() + ms;
    const m = guard.suspend(); // writes a structured value back before the lock is released
    const code = this.#e.x.condvar_wait(cv, m, ms);
    if (code !== Code.SUCCESS && code !== Code.TIMEOUT && code !== Code.POISONED) {
      guard.resume(); // the unlock was refused: nothing changed, the lock is still ours
      throw fromCode(code, "Mutex");
    }
    guard.resume();
    const timedOut = code === Code.TIMEOUT || (code === Code.POISONED && performance.now() >= deadline);
    if (code === Code.POISONED) throw poisoned(guard, timed, timedOut);
    return timedOut;
  }

  /** Async wait: unlock, waitAsync on SEQ, relock through the mutex's async step; returns whether it timed out. */
  async #waitAsync<T>(guard: MutexGuard<T>, ms: number, what: string, timed: boolean): Promise<boolean> {
    checkGuard(guard, what);
    const cv = this.ptr;
    const { x, L } = this.#e;
    const seqIdx = (cv + L.CV_SEQ) >>> 2;
    // Read SEQ while the mutex is still held (see condvarWait): a later notify changes it.
    const seq = Atomics.load(views().i32, seqIdx);
    const m = guard.suspend();
    const u = x.mutex_unlock(m);
    if (u !== Code.SUCCESS) { guard.resume(); throw fromCode(u, "Mutex"); }
    retainRef(cv, "Condvar"); // SEQ must stay alive while parked, even if this handle is dropped
    let timedOut = false;
    let code: number = Code.SUCCESS;
    // Counted as an async waiter while parked, so notifyOne also wakes the blocked threads queued
    // behind us (assembly/sync/condvar.ts).
    x.condvar_async_begin(cv);
    try {
      // Pairs with the bump + notify of condvar_notify_one / condvar_notify_all.
      timedOut = (await waitAsync(views().i32, seqIdx, seq, ms)) === "timed-out";
    } finally {
      x.condvar_async_done(cv);
      releaseRef(cv);
      // Relock unconditionally (Rust does too), with the same protocol as Mutex.lockAsync.
      const stateIdx = (m + L.M_STATE) >>> 2;
      code = x.mutex_try_lock(m);
      if (code === Code.WOULD_BLOCK) {
        code = await stepUntil(() => x.mutex_lock_step(m), () => [stateIdx, 2], Infinity, () => x.mutex_lock_done(m));
      }
      guard.resume();
    }
    if (code === Code.POISONED) throw poisoned(guard, timed, timedOut);
    if (code !== Code.SUCCESS) throw fromCode(code, "Mutex");
    return timedOut;
  }
}

function poisoned<T>(guard: MutexGuard<T>, timed: boolean, timedOut: boolean): PoisonError<unknown> {
  // The guard still holds the lock: intoInner hands it back as the wait would have.
  return new PoisonError<unknown>("Mutex", () => (timed ? { guard, timedOut } : guard));
}

function checkGuard(guard: unknown, what: string): void {
  if (!(guard instanceof MutexGuard)) throw new InvalidArgumentError(`${what}: expected a MutexGuard`);
}

function checkCondition(f: unknown, what: string): void {
  if (typeof f !== "function") throw new InvalidArgumentError(`${what}: condition must be a function`);
}

function createCondvar(): RawHandle {
  const { x, L } = engine();
  const ptr = x.condvar_new();
  if (ptr === 0) throw new OutOfMemoryError(L.CONDVAR_SIZE);
  return { ptr, gen: genOf(ptr) };
}

registerHandleType("TAG_CONDVAR", {
  name: "Condvar",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new Condvar()),
});
