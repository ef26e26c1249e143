// Once and OnceLock<T>: std::sync::Once / OnceLock over assembly/sync/once.ts.
//
//   const once = new Once();
//   once.callOnce(() => setup());                  // runs once across all threads; others wait
//   once.callOnceForce(({ isPoisoned }) => …);     // runs even after an initialiser threw
//   await once.callOnceAsync(async () => …);       // fn may be async; waiting never blocks
//
//   const cell = new OnceLock<number>();
//   cell.getOrInit(() => 42); cell.get(); cell.set(7) /* false: already set */; await cell.waitAsync();
//
// A Once whose fn throws is poisoned (Rust): later callOnce/wait throw OncePoisonedError. A
// OnceLock whose init fn throws stays empty (Rust): the next caller runs its own fn.
import { engine, Engine } from "../engine";
import { SharedHandle, registerHandleType, adopt, takeAdopting, genOf, RawHandle, fromRawChecked, releaseRef } from "../handle";
import { kindOf, checkKind, writeSlot, readSlot, clearSlot } from "../value";
import {
  Code, fromCode, checkTimeout, TimeoutError, OutOfMemoryError, MainThreadBlockError, InvalidArgumentError,
  OncePoisonedError,
} from "../errors";
import { waitAsync } from "../keepalive";

export { OncePoisonedError } from "../errors";

/** What a forced initialiser is told (Rust's OnceState). */
export interface OnceState { readonly isPoisoned: boolean; }

/** Shared machinery of Once and OnceLock: the STATE word protocol of assembly/sync/once.ts. */
abstract class OnceBase extends SharedHandle {
  protected readonly e: Engine;
  protected readonly i32: Int32Array;

  protected constructor(raw: RawHandle) {
    super(raw.ptr, raw.gen);
    this.e = engine();
    this.i32 = new Int32Array(this.e.memory.buffer); // covers the object: made after it
  }
  protected abstract get what(): string;

  protected state(): number { return this.e.x.once_state(this.ptr); }

  /**
   * Blocking begin on `ptr` (this.ptr): a code of once_begin. `ms` 0 never blocks (allowed on any
   * thread). When it makes this thread the runner, it has taken a reference for the run: the
   * object outlives the run even if the fn drops this handle; finish() gives it back.
   */
  protected beginSync(ptr: number, force: boolean, run: boolean, ms: number, what: string, twin: string): number {
    const x = this.e.x;
    let code = x.once_step(ptr, force ? 1 : 0, run ? 1 : 0);
    if (code === Code.WOULD_BLOCK) {
      if (ms === 0) return Code.TIMEOUT;
      if (!this.e.canBlock) throw new MainThreadBlockError(what, twin);
      code = x.once_begin(ptr, force ? 1 : 0, run ? 1 : 0, ms);
    }
    if (this.isRun(code)) x.obj_retain(ptr);
    return code;
  }

  /** Non-blocking begin on `ptr`: steps, parking on Atomics.waitAsync(STATE) in between. Like beginSync. */
  protected async beginAsync(ptr: number, force: boolean, run: boolean, timeout: number): Promise<number> {
    const { x, L } = this.e;
    let code = x.once_step(ptr, force ? 1 : 0, run ? 1 : 0);
    if (code !== Code.WOULD_BLOCK) {
      if (this.isRun(code)) x.obj_retain(ptr);
      return code;
    }
    x.obj_retain(ptr); // our own reference while parked, even if this handle is dropped meanwhile
    try {
      const deadline = performance.now() + timeout;
      const idx = (ptr + L.ON_STATE) >>> 2;
      while (code === Code.WOULD_BLOCK) {
        const left = deadline - performance.now();
        if (left <= 0) return Code.TIMEOUT;
        // Pairs with the futexWake in onceFinish; a state without QUEUED already changed: step again.
        const s = Atomics.load(this.i32, idx);
        if ((s & L.ONCE_QUEUED) !== 0) await waitAsync(this.i32, idx, s, left);
        code = x.once_step(ptr, force ? 1 : 0, run ? 1 : 0);
      }
      if (this.isRun(code)) x.obj_retain(ptr); // before the parked reference goes
      return code;
    } finally {
      releaseRef(ptr);
    }
  }

  protected isRun(code: number): boolean {
    return code === this.e.L.ONCE_RUN || code === this.e.L.ONCE_RUN_POISONED;
  }

  /** Ends this thread's run with `outcome` (ONCE_COMPLETE, ONCE_POISONED_STATE, ONCE_INCOMPLETE) and gives back the run's reference. */
  protected finish(ptr: number, outcome: number): void {
    const code = this.e.x.once_finish(ptr, outcome);
    releaseRef(ptr); // the run's reference (taken by beginSync / beginAsync)
    if (code !== Code.SUCCESS) throw fromCode(code, this.what);
  }

  /** Throws for the codes that are not an outcome of begin (poison, deadlock, …). */
  protected fail(code: number, what: string, timeout?: number): never {
    if (code === Code.TIMEOUT) throw new TimeoutError(what, timeout ?? 0);
    if (code === Code.ONCE_POISONED) throw new OncePoisonedError(this.what);
    throw fromCode(code, this.what);
  }
}

export class Once extends OnceBase {
  constructor() {
    super(takeAdopting() ?? createOnce());
  }
  protected get tagName(): string { return "TAG_ONCE"; }
  protected get what(): string { return "Once"; }

  /** Re-creates a Once from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): Once { return fromRawChecked("TAG_ONCE", raw, "Once"); }

  /**
   * Runs `fn` if no call has completed yet; if another thread is running its fn, blocks until it
   * ends. If `fn` throws, the error propagates and the Once is poisoned. Its return value is
   * ignored: for an async fn use callOnceAsync.
   */
  callOnce(fn: () => unknown): void { this.#call(fn, false, Infinity, "Once.callOnce", "callOnceAsync()"); }

  /** Like callOnce, waiting at most `ms` for another thread's fn: false if it was still running. */
  callOnceTimeout(fn: () => unknown, ms: number): boolean {
    checkTimeout(ms, "Once.callOnceTimeout");
    return this.#call(fn, false, ms, "Once.callOnceTimeout", "callOnceAsync({ timeout })");
  }

  /** Like callOnce, but also runs over a poisoned Once (fn is told); success un-poisons it. */
  callOnceForce(fn: (state: OnceState) => unknown): void {
    this.#call(fn, true, Infinity, "Once.callOnceForce", "callOnceForceAsync()");
  }

  /** callOnce that never blocks; `fn` may be async (the Once completes when it resolves). */
  callOnceAsync(fn: () => unknown, opts: { timeout?: number } = {}): Promise<void> {
    return this.#callAsync(fn, false, opts, "Once.callOnceAsync");
  }

  /** callOnceForce that never blocks; `fn` may be async. */
  callOnceForceAsync(fn: (state: OnceState) => unknown, opts: { timeout?: number } = {}): Promise<void> {
    return this.#callAsync(fn, true, opts, "Once.callOnceForceAsync");
  }

  /** Whether some call has completed successfully (Rust's is_completed). */
  isCompleted(): boolean { return this.state() === this.e.L.ONCE_COMPLETE; }

  /** Blocks until some call has completed (Rust's Once::wait); OncePoisonedError if poisoned. */
  wait(): void { this.#wait(Infinity, "Once.wait", "waitAsync()"); }

  /** Like wait, for at most `ms` milliseconds: false on timeout. */
  waitTimeout(ms: number): boolean {
    checkTimeout(ms, "Once.waitTimeout");
    return this.#wait(ms, "Once.waitTimeout", "waitAsync({ timeout })");
  }

  /** Resolves once some call has completed; rejects with OncePoisonedError or TimeoutError. */
  async waitAsync(opts: { timeout?: number } = {}): Promise<void> {
    const timeout = checkTimeout(opts.timeout ?? Infinity, "Once.waitAsync");
    const code = await this.beginAsync(this.ptr, false, false, timeout);
    if (code !== Code.SUCCESS) this.fail(code, "Once.waitAsync", timeout);
  }

  #wait(ms: number, what: string, twin: string): boolean {
    const code = this.beginSync(this.ptr, false, false, ms, what, twin);
    if (code === Code.SUCCESS) return true;
    if (code === Code.TIMEOUT) return false;
    return this.fail(code, what);
  }

  #call(fn: Function, force: boolean, ms: number, what: string, twin: string): boolean {
    checkFn(fn, what);
    const ptr = this.ptr;
    const code = this.beginSync(ptr, force, true, ms, what, twin);
    if (code === Code.SUCCESS) return true;
    if (code === Code.TIMEOUT) return false;
    if (!this.isRun(code)) this.fail(code, what);
    const L = this.e.L;
    try {
      fn({ isPoisoned: code === L.ONCE_RUN_POISONED });
    } catch (err) {
      this.finish(ptr, L.ONCE_POISONED_STATE);
      throw err;
    }
    this.finish(ptr, L.ONCE_COMPLETE);
    return true;
  }

  async #callAsync(fn: Function, force: boolean, opts: { timeout?: number }, what: string): Promise<void> {
    checkFn(fn, what);
    const timeout = checkTimeout(opts?.timeout ?? Infinity, what);
    const ptr = this.ptr;
    const code = await this.beginAsync(ptr, force, true, timeout);
    if (code === Code.SUCCESS) return;
    const L = this.e.L;
    if (!this.isRun(code)) this.fail(code, what, timeout);
    try {
      await fn({ isPoisoned: code === L.ONCE_RUN_POISONED });
    } catch (err) {
      this.finish(ptr, L.ONCE_POISONED_STATE);
      throw err;
    }
    this.finish(ptr, L.ONCE_COMPLETE);
  }
}

/**
 * A cell written once (std::sync::OnceLock). The value lives in shared memory like a Mutex's
 * (number, bigint, boolean, weft handle or structured value); its kind is fixed by the first set.
 * Reads return copies (structured values) or new handles (drop them); the cell keeps its own.
 */
export class OnceLock<T = unknown> extends OnceBase {
  constructor() {
    super(takeAdopting() ?? createOnceLock());
  }
  protected get tagName(): string { return "TAG_ONCE_LOCK"; }
  protected get what(): string { return "OnceLock"; }

  /** Re-creates a OnceLock from `intoRaw()` values, checked against the heap. */
  static fromRaw<T = unknown>(raw: RawHandle): OnceLock<T> { return fromRawChecked("TAG_ONCE_LOCK", raw, "OnceLock"); }

  /** The value, or undefined while the cell is empty (never blocks). */
  get(): T | undefined {
    return this.state() === this.e.L.ONCE_COMPLETE ? this.#read() : undefined;
  }

  /**
   * Stores `value` if the cell is empty: true if stored, false if it already had a value (`value`
   * is not consumed either way). Blocks only while another thread is initialising the cell.
   */
  set(value: T): boolean {
    kindOf(value); // refuse functions and symbols before touching the cell
    const ptr = this.ptr;
    const code = this.beginSync(ptr, false, true, Infinity, "OnceLock.set", "getOrInitAsync(() => value)");
    if (code === Code.SUCCESS) return false;
    if (code !== this.e.L.ONCE_RUN) this.fail(code, "OnceLock.set");
    this.#store(ptr, value);
    return true;
  }

  /** The value, initialising it with `fn()` if empty. If `fn` throws, the cell stays empty. */
  getOrInit(fn: () => T): T {
    checkFn(fn, "OnceLock.getOrInit");
    const ptr = this.ptr;
    const code = this.beginSync(ptr, false, true, Infinity, "OnceLock.getOrInit", "getOrInitAsync()");
    if (code === this.e.L.ONCE_RUN) {
      let v: T;
      try { v = fn(); } catch (err) { this.finish(ptr, this.e.L.ONCE_INCOMPLETE); throw err; }
      this.#store(ptr, v);
    } else if (code !== Code.SUCCESS) this.fail(code, "OnceLock.getOrInit");
    return this.#read();
  }

  /** getOrInit that never blocks; `fn` may be async. Rejects with TimeoutError after `timeout` ms. */
  async getOrInitAsync(fn: () => T | Promise<T>, opts: { timeout?: number } = {}): Promise<T> {
    checkFn(fn, "OnceLock.getOrInitAsync");
    const timeout = checkTimeout(opts?.timeout ?? Infinity, "OnceLock.getOrInitAsync");
    const ptr = this.ptr;
    const code = await this.beginAsync(ptr, false, true, timeout);
    if (code === this.e.L.ONCE_RUN) {
      let v: T;
      try { v = await fn(); } catch (err) { this.finish(ptr, this.e.L.ONCE_INCOMPLETE); throw err; }
      this.#store(ptr, v);
    } else if (code !== Code.SUCCESS) this.fail(code, "OnceLock.getOrInitAsync", timeout);
    return this.#read();
  }

  /** Blocks until the cell has a value and returns it (Rust's OnceLock::wait). */
  wait(): T {
    const code = this.beginSync(this.ptr, false, false, Infinity, "OnceLock.wait", "waitAsync()");
    if (code !== Code.SUCCESS) this.fail(code, "OnceLock.wait");
    return this.#read();
  }

  /** Like wait, for at most `ms` milliseconds: undefined on timeout. */
  waitTimeout(ms: number): T | undefined {
    checkTimeout(ms, "OnceLock.waitTimeout");
    const code = this.beginSync(this.ptr, false, false, ms, "OnceLock.waitTimeout", "waitAsync({ timeout })");
    if (code === Code.TIMEOUT) return undefined;
    if (code !== Code.SUCCESS) this.fail(code, "OnceLock.waitTimeout");
    return this.#read();
  }

  /** Resolves with the value once set; rejects with TimeoutError after `timeout` ms. */
  async waitAsync(opts: { timeout?: number } = {}): Promise<T> {
    const timeout = checkTimeout(opts?.timeout ?? Infinity, "OnceLock.waitAsync");
    const code = await this.beginAsync(this.ptr, false, false, timeout);
    if (code !== Code.SUCCESS) this.fail(code, "OnceLock.waitAsync", timeout);
    return this.#read();
  }

  /** Writes the value during this thread's run and completes it (or ends the run empty and throws). */
  #store(ptr: number, value: T): void {
    const { L } = this.e;
    try {
      const kind = L[kindOf(value)];
      checkKind(kind, value);
      writeSlot(ptr + L.ON_VALUE, kind, value);
      // Read by every thread only after it sees COMPLETE, which the finish below publishes.
      new Uint32Array(this.e.memory.buffer)[(ptr + L.O_AUX) >>> 2] = kind;
    } catch (err) {
      this.finish(ptr, L.ONCE_INCOMPLETE);
      throw err;
    }
    this.finish(ptr, L.ONCE_COMPLETE);
  }

  #read(): T {
    const { L } = this.e;
    const ptr = this.ptr;
    const kind = new Uint32Array(this.e.memory.buffer)[(ptr + L.O_AUX) >>> 2];
    return readSlot(ptr + L.ON_VALUE, kind) as T;
  }
}

function checkFn(fn: unknown, what: string): void {
  if (typeof fn !== "function") throw new InvalidArgumentError(`${what}: expected a function, got ${typeof fn}`);
}

function createOnce(): RawHandle {
  const { x, L } = engine();
  const ptr = x.once_new();
  if (ptr === 0) throw new OutOfMemoryError(L.ONCE_SIZE);
  return { ptr, gen: genOf(ptr) };
}

function createOnceLock(): RawHandle {
  const { x, L } = engine();
  const ptr = x.once_lock_new();
  if (ptr === 0) throw new OutOfMemoryError(L.ONCE_LOCK_SIZE);
  return { ptr, gen: genOf(ptr) };
}

registerHandleType("TAG_ONCE", {
  name: "Once",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new Once()),
});

registerHandleType("TAG_ONCE_LOCK", {
  name: "OnceLock",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new OnceLock()),
  destroy: (ptr) => {
    // The last reference is gone: no thread runs an initialiser any more, the kind is final.
    const { L } = engine();
    const kind = new Uint32Array(engine().memory.buffer)[(ptr + L.O_AUX) >>> 2];
    if (kind !== L.KIND_NONE) clearSlot(ptr + L.ON_VALUE, kind);
  },
});
