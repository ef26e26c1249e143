// SharedArray: a typed array whose elements live in the engine's shared memory, so every thread
// that holds a handle sees (and writes) the same elements.
//
//   const a = new weft.SharedArray(Float64Array, 1000);   // zeroed
//   const b = weft.SharedArray.from(new Int32Array([1, 2, 3]));
//   weft.spawn([a], (a) => { a.array[0] = 42; });         // a worker sees the same memory
//
// The object (TAG_SHARED_ARRAY, assembly/abi/shared-array.ts) records element type, length and
// the address of a separate, 8-byte-aligned data block, freed when the last handle drops. The
// `array` view is made once per handle: shared memory never moves (growth only adds pages after
// it), so the view stays valid for the handle's life. Accesses to the elements are the program's
// to synchronise: `Atomics.*` on `array` (integer types), a lock, or join.
import { engine, views } from "./engine";
import { SharedHandle, registerHandleType, adopt, takeAdopting, genOf, RawHandle, fromRawChecked } from "./handle";
import { DroppedError, InvalidArgumentError, OutOfMemoryError } from "./errors";

/** The typed arrays a SharedArray can hold. */
export type SharedTypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** A typed-array constructor (Float64Array, …) as an element type. */
export interface ElementType<A extends SharedTypedArray = SharedTypedArray> {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): A;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

// Element types and their ELEM_* names in the engine layout; identified by identity (this realm's
// constructors) or, for SharedArray.from, by the typed array's own [Symbol.toStringTag].
const ELEMENTS: [ElementType, string][] = [
  [Int8Array, "ELEM_INT8"], [Uint8Array, "ELEM_UINT8"], [Uint8ClampedArray, "ELEM_UINT8_CLAMPED"],
  [Int16Array, "ELEM_INT16"], [Uint16Array, "ELEM_UINT16"], [Int32Array, "ELEM_INT32"],
  [Uint32Array, "ELEM_UINT32"], [Float32Array, "ELEM_FLOAT32"], [Float64Array, "ELEM_FLOAT64"],
  [BigInt64Array, "ELEM_BIGINT64"], [BigUint64Array, "ELEM_BIGUINT64"],
] as unknown as [ElementType, string][];

function elemCode(C: unknown): number | undefined {
  const e = ELEMENTS.find(([c]) => c === C);
  return e === undefined ? undefined : engine().L[e[1]];
}
function elemType(code: number): ElementType {
  const L = engine().L;
  return ELEMENTS.find(([, n]) => L[n] === code)![0];
}

export class SharedArray<A extends SharedTypedArray = SharedTypedArray> extends SharedHandle {
  #array: A | null;
  readonly #type: ElementType<A>;

  /** A zeroed array of `length` elements of `elementType` (Float64Array, Int32Array, …). */
  constructor(elementType: ElementType<A>, length: number) {
    const raw = takeAdopting() ?? createSharedArray(elementType, length);
    super(raw.ptr, raw.gen);
    const { memory, L } = engine();
    const u32 = views().u32; // made after the allocation: covers the object
    this.#type = elemType(u32[(raw.ptr + L.O_AUX) >>> 2]) as ElementType<A>;
    // LENGTH and DATA never change after creation (abi/shared-array.ts): plain reads are safe.
    const len = u32[(raw.ptr + L.SA_LENGTH) >>> 2], data = u32[(raw.ptr + L.SA_DATA) >>> 2];
    this.#array = new this.#type(memory.buffer, data, len);
  }
  protected get tagName(): string { return "TAG_SHARED_ARRAY"; }

  /** A new SharedArray holding a copy of `source`'s elements, of the same element type. */
  static from<A extends SharedTypedArray>(source: A): SharedArray<A> {
    const tag = ArrayBuffer.isView(source) ? (source as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] : undefined;
    const type = ELEMENTS.find(([c]) => c.name === tag)?.[0];
    if (type === undefined) {
      throw new InvalidArgumentError(`SharedArray.from: expected a typed array (Int8Array … BigUint64Array), got ${describe(source)}`);
    }
    const sa = new SharedArray(type as ElementType<A>, (source as SharedTypedArray).length);
    (sa.array as { set(s: A): void }).set(source);
    return sa;
  }

  /** Re-creates a SharedArray from `intoRaw()` values, checked against the heap. */
  static fromRaw<A extends SharedTypedArray = SharedTypedArray>(raw: RawHandle): SharedArray<A> {
    return fromRawChecked("TAG_SHARED_ARRAY", raw, "SharedArray");
  }

  /**
   * The elements: a typed array over the engine's memory (the same object on every call). Do not
   * use it after dropping the last handle: the memory is then reused.
   */
  get array(): A {
    const a = this.#array;
    if (a === null) throw new DroppedError("SharedArray");
    return a;
  }

  /** Number of elements. */
  get length(): number { return this.array.length; }

  /** Size of the elements in bytes. */
  get byteLength(): number { return this.array.byteLength; }

  /** The element type: the typed-array constructor (Float64Array, …). */
  get elementType(): ElementType<A> {
    this.array; // throws DroppedError after drop
    return this.#type;
  }

  drop(): void {
    super.drop();
    if (this.isDropped) this.#array = null;
  }

  intoRaw(): RawHandle {
    const raw = super.intoRaw();
    this.#array = null;
    return raw;
  }
}

function createSharedArray(elementType: unknown, length: unknown): RawHandle {
  const { x, L } = engine();
  const code = elemCode(elementType);
  if (code === undefined) {
    throw new InvalidArgumentError(`new SharedArray: element type must be a typed-array constructor (Int8Array … BigUint64Array), got ${describe(elementType)}`);
  }
  const size = (elementType as ElementType).BYTES_PER_ELEMENT;
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length * size > L.SA_MAX_BYTES) {
    throw new InvalidArgumentError(`new SharedArray: length must be an integer in [0, ${Math.floor(L.SA_MAX_BYTES / size)}], got ${describe(length)}`);
  }
  const ptr = x.shared_array_new(code, length);
  if (ptr === 0) throw new OutOfMemoryError(length * size);
  return { ptr, gen: genOf(ptr) };
}

function describe(v: unknown): string {
  if (typeof v === "function") return v.name || "a function";
  if (typeof v === "bigint") return `${v}n`;
  if (v !== null && typeof v === "object") return Object.prototype.toString.call(v);
  try { return String(v); } catch { return typeof v; }
}

registerHandleType("TAG_SHARED_ARRAY", {
  name: "SharedArray",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new SharedArray(Float64Array as ElementType, 0)),
  // The last handle is gone: free the data block (the object itself is freed by releaseRef).
  destroy: (ptr) => { engine().x.shared_array_destroy(ptr); },
});
