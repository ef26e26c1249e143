// ABI exports for atomic: std::sync::atomic's AtomicI32 / U32 / I64 / U64 / Bool cells.
//
// An atomic is a shared object (TAG_ATOMIC) holding one value. The host operates on the value
// directly with JS `Atomics.*` over a view of the memory (ts/atomics.ts): the engine only makes
// the object, and the layout constants below tell the host where the value is. Kernels written in
// AssemblyScript use the wrappers of sync/atomic.ts on `ptr + ATOMIC_VALUE`.
//
//   +0  object header (tag TAG_ATOMIC, gen, refs, aux = ATOMIC_* kind below)
//   +16 VALUE   i32 (I32, U32, BOOL as 0/1) or i64 (I64, U64); 8-byte aligned because heap
//               payloads are 8-byte aligned (heap/block.ts) and the header is 16 bytes
//   +24 end
//
// The kind decides the class a handle is re-created as on another thread (ts/atomics.ts reads
// AUX), so one tag serves all five types.
import { objNew, OBJ_HEADER } from "../engine/object";
import { TAG_ATOMIC } from "../layout";

export const ATOMIC_VALUE: usize = OBJ_HEADER;
export const ATOMIC_SIZE: usize = OBJ_HEADER + 8;

export const ATOMIC_I32: u32 = 1;
export const ATOMIC_U32: u32 = 2;
export const ATOMIC_I64: u32 = 3;
export const ATOMIC_U64: u32 = 4;
export const ATOMIC_BOOL: u32 = 5;

/** A zeroed atomic of `kind` (ATOMIC_*) with REFS = 1; 0 when out of memory or `kind` is unknown. */
export function atomic_new(kind: u32): usize {
  if (kind < ATOMIC_I32 || kind > ATOMIC_BOOL) return 0;
  // The host writes the initial value before the handle exists anywhere else: no race.
  return objNew(TAG_ATOMIC, ATOMIC_SIZE, kind);
}
