// The value slot of a lock (Mutex, RwLock, OnceLock): 16 bytes at VALUE inside the object.
//
//   kind     VALUE (8 bytes)          VALUE2 (8 bytes)
//   number   f64                      -
//   bigint   i64                      -
//   boolean  i32 0/1                  -
//   handle   ptr u32, gen u32         tag u32            (the slot owns one reference)
//   any      ptr u32, len u32         hasHandles u32     (msgpackr bytes in the heap, owned)
//
// The kind is fixed when the lock is made (Rust's Mutex<T> has one T) and kept in the object's
// AUX word. Only the lock holder reads or writes the slot, so plain (non-atomic) accesses are
// safe: the lock's acquire/release are SeqCst atomics that order them.
import { engine, views } from "./engine";
import { SharedHandle, handleFromWire, releaseRef } from "./handle";
import { encodeToHeap, encodeUnlessSame, decodeBorrowed, freeEncoded } from "./codec";
import { UnsupportedValueError } from "./errors";

/** Value kinds (KIND_* in assembly/layout.ts; checked against the engine at init). */
export const enum Kind { NONE = 0, NUMBER = 1, BIGINT = 2, BOOL = 3, HANDLE = 4, ANY = 5 }

export type LockValue = number | bigint | boolean | SharedHandle | unknown;

/** Layout kind names (KIND_* in assembly/layout.ts). */
export function kindOf(v: unknown): string {
  switch (typeof v) {
    case "number": return "KIND_NUMBER";
    case "bigint": return "KIND_BIGINT";
    case "boolean": return "KIND_BOOL";
    case "function": throw new UnsupportedValueError("a function cannot be held in shared memory");
    case "symbol": throw new UnsupportedValueError("a symbol cannot be held in shared memory");
  }
  return v instanceof SharedHandle ? "KIND_HANDLE" : "KIND_ANY";
}

const KIND_NAMES = ["", "number", "bigint", "boolean", "weft handle", "structured value"];

/** Checks that `v` fits a slot of `kind` (a KIND_* value). */
export function checkKind(kind: number, v: unknown): void {
  const L = engine().L;
  const want = L[kindOf(v)];
  if (want !== kind) {
    throw new UnsupportedValueError(`this lock holds a ${KIND_NAMES[kind]}, not a ${KIND_NAMES[want]}`);
  }
  if (typeof v === "bigint" && BigInt.asIntN(64, v) !== v) {
    throw new UnsupportedValueError(`bigint ${v} does not fit in 64 signed bits`);
  }
}

/** Writes `v` into an empty slot at `at` (the caller checked the kind). */
export function writeSlot(at: number, kind: number, v: unknown): void {
  const L = engine().L;
  const V = views();
  if (kind === L.KIND_NUMBER) V.f64[at >>> 3] = v as number;
  else if (kind === L.KIND_BIGINT) V.i64[at >>> 3] = v as bigint;
  else if (kind === L.KIND_BOOL) V.i32[at >>> 2] = v ? 1 : 0;
  else if (kind === L.KIND_HANDLE) {
    const [tag, ptr, gen] = (v as SharedHandle).toWire(); // takes the slot's reference
    V.u32[at >>> 2] = ptr; V.u32[(at >>> 2) + 1] = gen; V.u32[(at >>> 2) + 2] = tag;
  } else {
    const e = encodeToHeap(v);
    const W = views(); // encoding may have grown the memory
    W.u32[at >>> 2] = e.ptr; W.u32[(at >>> 2) + 1] = e.len; W.u32[(at >>> 2) + 2] = e.handles > 0 ? 1 : 0;
  }
}

/** Reads the slot. Handles come back as new handles with their own reference (drop them). */
export function readSlot(at: number, kind: number): unknown {
  const L = engine().L;
  const V = views();
  if (kind === L.KIND_NUMBER) return V.f64[at >>> 3];
  if (kind === L.KIND_BIGINT) return V.i64[at >>> 3];
  if (kind === L.KIND_BOOL) return V.i32[at >>> 2] !== 0;
  const a = V.u32[at >>> 2], b = V.u32[(at >>> 2) + 1], c = V.u32[(at >>> 2) + 2];
  if (kind === L.KIND_HANDLE) {
    engine().x.obj_retain(a); // the slot keeps its own reference
    return handleFromWire(c, a, b);
  }
  return decodeBorrowed(a, b);
}

/** Releases what the slot owns (bytes, handle references) and zeroes it. */
export function clearSlot(at: number, kind: number): void {
  const L = engine().L;
  const V = views();
  const a = V.u32[at >>> 2], b = V.u32[(at >>> 2) + 1], c = V.u32[(at >>> 2) + 2];
  if (kind === L.KIND_HANDLE && a !== 0) releaseRef(a);
  else if (kind === L.KIND_ANY && a !== 0) freeEncoded(a, b, c !== 0);
  V.u32[at >>> 2] = 0; V.u32[(at >>> 2) + 1] = 0; V.u32[(at >>> 2) + 2] = 0;
}

/**
 * Writes a structured value back (guards that read one): nothing happens when it is unchanged,
 * so read-only guards allocate nothing at unlock.
 */
export function writeBackSlot(at: number, v: unknown): void {
  const V = views();
  const old = [V.u32[at >>> 2], V.u32[(at >>> 2) + 1], V.u32[(at >>> 2) + 2]];
  const e = encodeUnlessSame(v, old[0], old[1]);
  if (e === null) return;
  const W = views();
  W.u32[at >>> 2] = e.ptr; W.u32[(at >>> 2) + 1] = e.len; W.u32[(at >>> 2) + 2] = e.handles > 0 ? 1 : 0;
  if (old[0] !== 0) freeEncoded(old[0], old[1], old[2] !== 0);
}

/** Replaces the slot's value: the new one is encoded before the old one is released. */
export function replaceSlot(at: number, kind: number, v: unknown): void {
  checkKind(kind, v);
  const L = engine().L;
  if (kind !== L.KIND_HANDLE && kind !== L.KIND_ANY) { writeSlot(at, kind, v); return; }
  const V = views();
  const old = [V.u32[at >>> 2], V.u32[(at >>> 2) + 1], V.u32[(at >>> 2) + 2]];
  writeSlot(at, kind, v); // throws before touching the slot if v cannot be encoded
  if (old[0] !== 0) {
    if (kind === L.KIND_HANDLE) releaseRef(old[0]); else freeEncoded(old[0], old[1], old[2] !== 0);
  }
}
