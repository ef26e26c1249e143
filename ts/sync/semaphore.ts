// Semaphore: a counting semaphore over assembly/sync/semaphore.ts (std has none; this follows
// the classic acquire/release pair, with tokio-style permit guards).
//
//   const s = new Semaphore(2);
//   s.acquire(); …; s.release();                 // at most 2 threads between the two
//   { using p = s.acquireGuard(); … }            // released at the end of the block
//   if (s.tryAcquire()) …; s.acquireTimeout(10); await s.acquireAsync({ timeout: 10 });
import { engine, Engine } from "../engine";
import { SharedHandle, registerHandleType, adopt, takeAdopting, genOf, RawHandle, fromRawChecked, releaseRef } from "../handle";
import { ThreadBound } from "../codec";
import {
  Code, fromCode, checkTimeout, TimeoutError, OutOfMemoryError, MainThreadBlockError, InvalidArgumentError,
} from "../errors";
import { waitAsync } from "../keepalive";

export class Semaphore extends SharedHandle {
  readonly #e: Engine;
  readonly #i32: Int32Array;

  /** A semaphore holding `permits` (an integer in [0, 2^31 - 1]). */
  constructor(permits: number) {
    const raw = takeAdopting() ?? createSemaphore(permits);
    super(raw.ptr, raw.gen);
    this.#e = engine();
    this.#i32 = new Int32Array(this.#e.memory.buffer); // covers the object: made after it
  }
  protected get tagName(): string { return "TAG_SEMAPHORE"; }

  /** Re-creates a Semaphore from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): Semaphore { return fromRawChecked("TAG_SEMAPHORE", raw, "Semaphore"); }

  /** Permits available now (a snapshot). */
  availablePermits(): number { return this.#e.x.semaphore_permits(this.ptr); }

  /** Blocks until a permit is taken. */
  acquire(): void {
    const ptr = this.ptr;
    if (!this.#e.canBlock) throw new MainThreadBlockError("Semaphore.acquire", "acquireAsync()");
    const code = this.#e.x.semaphore_acquire(ptr, Infinity);
    if (code !== Code.SUCCESS) throw fromCode(code, "Semaphore");
  }

  /** Takes a permit if one is available now. */
  tryAcquire(): boolean {
    return this.#e.x.semaphore_try_acquire(this.ptr) === Code.SUCCESS;
  }

  /** Waits at most `ms` milliseconds for a permit: false on timeout. */
  acquireTimeout(ms: number): boolean {
    checkTimeout(ms, "Semaphore.acquireTimeout");
    const ptr = this.ptr;
    if (ms === 0) return this.tryAcquire();
    if (!this.#e.canBlock) throw new MainThreadBlockError("Semaphore.acquireTimeout", "acquireAsync({ timeout })");
    const code = this.#e.x.semaphore_acquire(ptr, ms);
    if (code === Code.SUCCESS) return true;
    if (code === Code.TIMEOUT) return false;
    throw fromCode(code, "Semaphore");
  }

  /** Resolves once a permit is taken; never blocks. Rejects with TimeoutError after `timeout` ms. */
  async acquireAsync(opts: { timeout?: number } = {}): Promise<void> {
    const timeout = checkTimeout(opts?.timeout ?? Infinity, "Semaphore.acquireAsync");
    const ptr = this.ptr;
    const { x, L } = this.#e;
    if (x.semaphore_try_acquire(ptr) === Code.SUCCESS) return;
    x.obj_retain(ptr); // our own reference while parked, even if this handle is dropped meanwhile
    try {
      const deadline = performance.now() + timeout;
      const idx = (ptr + L.S_PERMITS) >>> 2;
      // Same protocol as the blocking path: announce a sleeper (WAITERS + 1), sleep on PERMITS == 0.
      while (x.semaphore_acquire_step(ptr) === Code.WOULD_BLOCK) {
        const left = deadline - performance.now();
        try {
          if (left <= 0) throw new TimeoutError("Semaphore.acquireAsync", timeout);
          await waitAsync(this.#i32, idx, 0, left); // pairs with the futexWake in semRelease
        } finally {
          x.semaphore_wait_done(ptr);
        }
      }
    } finally {
      releaseRef(ptr);
    }
  }

  /** Blocks for a permit and returns a guard that gives it back on release() / dispose. */
  acquireGuard(): SemaphorePermit {
    this.acquire();
    return new SemaphorePermit(this);
  }

  /** acquireGuard that never blocks. */
  async acquireGuardAsync(opts: { timeout?: number } = {}): Promise<SemaphorePermit> {
    await this.acquireAsync(opts);
    return new SemaphorePermit(this);
  }

  /** Gives `count` permits back (an integer >= 1), waking as many waiters. */
  release(count = 1): void {
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > this.#e.L.SEMAPHORE_MAX) {
      throw new InvalidArgumentError(`Semaphore.release: count must be an integer >= 1, got ${String(count)}`);
    }
    const code = this.#e.x.semaphore_release(this.ptr, count);
    if (code === Code.INVALID_ARGUMENT) {
      throw new InvalidArgumentError(`Semaphore.release: ${count} more permits would exceed ${this.#e.L.SEMAPHORE_MAX}`);
    }
    if (code !== Code.SUCCESS) throw fromCode(code, "Semaphore");
  }
}

/** One permit of a Semaphore, given back by release() or [Symbol.dispose]. Bound to its thread. */
export class SemaphorePermit extends ThreadBound {
  #s: Semaphore | null;

  /** @internal the permit is already taken. */
  constructor(s: Semaphore) {
    super();
    this.#s = s.clone(); // the permit keeps the semaphore alive until it is given back
  }
  protected get boundName(): string { return "SemaphorePermit"; }

  /** Gives the permit back (once; later calls do nothing). */
  release(): void {
    const s = this.#s;
    if (s === null) return;
    this.#s = null;
    try { s.release(1); } finally { s.drop(); }
  }

  /** Keeps the permit taken for good (Rust's SemaphorePermit::forget). */
  forget(): void {
    this.#s?.drop();
    this.#s = null;
  }

  [Symbol.dispose](): void { this.release(); }
}

function createSemaphore(permits: unknown): RawHandle {
  const { x, L } = engine();
  if (typeof permits !== "number" || !Number.isInteger(permits) || permits < 0 || permits > L.SEMAPHORE_MAX) {
    throw new InvalidArgumentError(`Semaphore: permits must be an integer in [0, ${L.SEMAPHORE_MAX}], got ${String(permits)}`);
  }
  const ptr = x.semaphore_new(permits);
  if (ptr === 0) throw new OutOfMemoryError(L.SEMAPHORE_SIZE);
  return { ptr, gen: genOf(ptr) };
}

registerHandleType("TAG_SEMAPHORE", {
  name: "Semaphore",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new Semaphore(0)),
});
