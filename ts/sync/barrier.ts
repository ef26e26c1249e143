// Barrier: std::sync::Barrier over assembly/sync/barrier.ts. Reusable: once `n` threads have
// called wait(), all of them return, exactly one with `isLeader: true`, and the next generation
// starts at once.
//
//   const b = new Barrier(4);
//   b.wait().isLeader;                  // blocks until 4 threads arrived
//   b.waitTimeout(10);                  // null on timeout (the arrival is withdrawn)
//   await b.waitAsync({ timeout: 10 }); // where the thread may not block; TimeoutError on timeout
import { engine, Engine } from "../engine";
import { SharedHandle, registerHandleType, adopt, takeAdopting, genOf, RawHandle, fromRawChecked, releaseRef } from "../handle";
import {
  Code, fromCode, checkTimeout, TimeoutError, OutOfMemoryError, MainThreadBlockError, InvalidArgumentError,
} from "../errors";
import { waitAsync } from "../keepalive";

/** What wait() returns (Rust's BarrierWaitResult). */
export interface BarrierWaitResult {
  /** True for exactly one thread of each generation: the one whose arrival completed it. */
  readonly isLeader: boolean;
}

const LEADER: BarrierWaitResult = Object.freeze({ isLeader: true });
const FOLLOWER: BarrierWaitResult = Object.freeze({ isLeader: false });

export class Barrier extends SharedHandle {
  readonly #e: Engine;
  readonly #i32: Int32Array;

  /** A barrier for `n` threads (an integer >= 1). */
  constructor(n: number) {
    const raw = takeAdopting() ?? createBarrier(n);
    super(raw.ptr, raw.gen);
    this.#e = engine();
    this.#i32 = new Int32Array(this.#e.memory.buffer); // covers the object: made after it
  }
  protected get tagName(): string { return "TAG_BARRIER"; }

  /** Re-creates a Barrier from `intoRaw()` values, checked against the heap. */
  static fromRaw(raw: RawHandle): Barrier { return fromRawChecked("TAG_BARRIER", raw, "Barrier"); }

  /** The number of threads each generation waits for. */
  get parties(): number { return this.#i32[(this.ptr + this.#e.L.B_N) >>> 2]; }

  /** Blocks until `parties` threads (this one included) have called wait. */
  wait(): BarrierWaitResult {
    const ptr = this.ptr;
    if (!this.#e.canBlock) throw new MainThreadBlockError("Barrier.wait", "waitAsync()");
    return this.#result(this.#e.x.barrier_wait(ptr, Infinity), "Barrier.wait")!;
  }

  /**
   * Like wait, for at most `ms` milliseconds: null on timeout, with this thread's arrival taken
   * back (the generation still waits for `parties` others). If the generation completed just as
   * the time ran out, the arrival counted and the normal result is returned.
   */
  waitTimeout(ms: number): BarrierWaitResult | null {
    checkTimeout(ms, "Barrier.waitTimeout");
    const ptr = this.ptr;
    if (!this.#e.canBlock && ms !== 0) throw new MainThreadBlockError("Barrier.waitTimeout", "waitAsync({ timeout })");
    return this.#result(this.#e.x.barrier_wait(ptr, ms), "Barrier.waitTimeout");
  }

  /** Resolves once the generation completes; never blocks. Rejects with TimeoutError (arrival withdrawn). */
  async waitAsync(opts: { timeout?: number } = {}): Promise<BarrierWaitResult> {
    const timeout = checkTimeout(opts.timeout ?? Infinity, "Barrier.waitAsync");
    const ptr = this.ptr;
    const { x, L } = this.#e;
    const gen = x.barrier_arrive(ptr);
    if (gen === (L.ARRIVED_LEADER | 0)) return LEADER;
    // Our own reference while parked: the object stays valid even if this handle is dropped meanwhile.
    x.obj_retain(ptr);
    try {
      const deadline = performance.now() + timeout;
      const idx = (ptr + L.B_GEN) >>> 2;
      // Pairs with the futexWake in barrierArrive: GEN changes once, when the generation completes.
      while (Atomics.load(this.#i32, idx) === gen) {
        const left = deadline - performance.now();
        if (left <= 0) {
          if (x.barrier_withdraw(ptr, gen) === Code.TIMEOUT) throw new TimeoutError("Barrier.waitAsync", timeout);
          break; // completed as we gave up: the arrival counted
        }
        await waitAsync(this.#i32, idx, gen, left);
      }
      return FOLLOWER;
    } finally {
      releaseRef(ptr);
    }
  }

  #result(code: number, what: string): BarrierWaitResult | null {
    if (code === this.#e.L.BARRIER_LEADER) return LEADER;
    if (code === Code.SUCCESS) return FOLLOWER;
    if (code === Code.TIMEOUT) return null;
    throw fromCode(code, what);
  }
}

function createBarrier(n: unknown): RawHandle {
  const { x, L } = engine();
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 0x7FFFFFFF) {
    throw new InvalidArgumentError(`Barrier: n must be an integer >= 1, got ${String(n)}`);
  }
  const ptr = x.barrier_new(n);
  if (ptr === 0) throw new OutOfMemoryError(L.BARRIER_SIZE);
  return { ptr, gen: genOf(ptr) };
}

registerHandleType("TAG_BARRIER", {
  name: "Barrier",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new Barrier(1)),
});
