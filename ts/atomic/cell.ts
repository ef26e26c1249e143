// The shared part of every atomic type: a TAG_ATOMIC object (assembly/abi/atomic.ts) holding one
// value, reached through a one-element typed-array view made when the handle is made.
//
// The view is over the engine's shared memory, captured after the object was allocated, so it
// covers the value for the object's whole life (shared memory never moves; growth only adds
// pages after it). Operations are JS `Atomics.*` calls on that view: no wasm call on any
// operation. The handle is Arc-like (ts/handle.ts): clone/drop/intoRaw/fromRaw, sendable to
// spawned threads, where the kind in the object's AUX word re-creates the right class.
import { engine } from "../engine";
import { SharedHandle, takeAdopting, genOf, fromRawChecked, RawHandle } from "../handle";
import { DroppedError, InvalidArgumentError, InvalidHandleError, OutOfMemoryError } from "../errors";
import { show } from "./ordering";

/** The typed arrays atomics are viewed through (one element at the value's address). */
export type Cell = Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** What a concrete atomic type contributes: its layout kind, its view, its value domain. */
export interface AtomicSpec<T> {
  /** ATOMIC_* constant name in the engine layout. */
  kind: string;
  View: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Cell;
  /** Whether `v` is a value of the type (Rust's types are strict: no coercion, no wrapping). */
  valid(v: unknown): v is T;
  /** The value domain, for messages: "an integer in [0, 4294967295]". */
  domain: string;
}

export abstract class AtomicCell<T> extends SharedHandle {
  #cell: Cell | null;
  readonly #spec: AtomicSpec<T>;

  /** Creates an atomic holding `init`, or adopts the object named by `adopt()`. */
  protected constructor(spec: AtomicSpec<T>, init: T) {
    const adopted = takeAdopting();
    const raw = adopted ?? createAtomic(spec, init, new.target.name);
    super(raw.ptr, raw.gen);
    this.#spec = spec;
    const { memory, L } = engine();
    this.#cell = new spec.View(memory.buffer, raw.ptr + L.ATOMIC_VALUE, 1);
    // A new object is seen by this thread only until the constructor returns: the store is
    // published with the handle itself (by the SeqCst operations that send or store a handle).
    if (adopted === null) Atomics.store(this.#cell as Int32Array, 0, this.toCell(init) as number);
  }
  protected get tagName(): string { return "TAG_ATOMIC"; }

  /** The value as stored in the cell (AtomicBool stores 0/1). */
  protected toCell(v: T): number | bigint { return v as number | bigint; }

  /** @internal the view; throws DroppedError once this handle is dropped. */
  protected get cell(): Cell {
    const c = this.#cell;
    if (c === null) throw new DroppedError(this.constructor.name);
    return c;
  }

  /** @internal throws InvalidArgumentError unless `v` is a value of this type. */
  protected check(v: unknown, method: string): asserts v is T {
    if (!this.#spec.valid(v)) {
      throw new InvalidArgumentError(`${this.constructor.name}.${method}: expected ${this.#spec.domain}, got ${show(v)}`);
    }
  }

  /**
   * The address of the value in the engine's memory (Rust's `as_ptr`), for kernels that operate
   * on it with wasm atomics; valid while a handle to this atomic lives.
   */
  asPtr(): number { return this.ptr + engine().L.ATOMIC_VALUE; }

  drop(): void {
    super.drop();
    if (this.isDropped) this.#cell = null;
  }

  intoRaw(): RawHandle {
    const raw = super.intoRaw();
    this.#cell = null;
    return raw;
  }
}

function createAtomic<T>(spec: AtomicSpec<T>, init: T, name: string): RawHandle {
  // Check before allocating: a bad value leaves nothing behind.
  if (!spec.valid(init)) throw new InvalidArgumentError(`new ${name}: expected ${spec.domain}, got ${show(init)}`);
  const { x, L } = engine();
  const ptr = x.atomic_new(L[spec.kind]);
  if (ptr === 0) throw new OutOfMemoryError(L.ATOMIC_SIZE);
  return { ptr, gen: genOf(ptr) };
}

/**
 * Arc::from_raw for class `C`: the raw handle must name a live atomic of exactly that type (an
 * AtomicU64's raw handle is not an AtomicI32). On a mismatch the raw reference stays unconsumed.
 */
export function atomicFromRaw<C extends AtomicCell<unknown>>(C: abstract new (...a: never[]) => C, raw: RawHandle): C {
  const h = fromRawChecked<SharedHandle>("TAG_ATOMIC", raw, C.name);
  if (h instanceof C) return h;
  h.intoRaw(); // gives up the handle without releasing: the caller still owns `raw`
  throw new InvalidHandleError(C.name);
}
