// Shared objects: a 16-byte header (tag, generation, reference count, aux) in front of each
// object's fields, in a heap block. See the header diagram in layout.ts.
//
// Handles (JS objects, or pointers in AS code) name an object by {ptr, gen}. A handle re-created
// on another thread, or built from raw values, is checked by `objCheck` before any use: range and
// alignment against the heap, a live block, the expected type tag and the generation. Reads made
// by the check stay inside the memory; nothing is written before it passes.
import { load32, store32, add32, sub32, cas32 } from "../sync/atomic";
import { malloc, free, isLive } from "../heap/index";
import {
  O_TAG, O_GEN, O_REFS, O_AUX, OBJ_HEADER, H_GEN, SUCCESS, INVALID_HANDLE, OUT_OF_MEMORY,
} from "../layout";

/** A zeroed object of `size` bytes (header included) with REFS = 1, or 0 when out of memory. */
export function objNew(tag: u32, size: usize, aux: u32): usize {
  const p = malloc(size);
  if (p == 0) return 0;
  memory.fill(p, 0, size);
  let gen = <u32>add32(H_GEN, 1) + 1;
  if (gen == 0) gen = <u32>add32(H_GEN, 1) + 1; // skip 0 on wrap: 0 means "no object"
  store32(p + O_GEN, gen);
  store32(p + O_REFS, 1);
  store32(p + O_AUX, aux);
  store32(p + O_TAG, tag); // last: the object is recognisable only once complete
  return p;
}

/** SUCCESS if `ptr` names a live object of type `tag` and generation `gen`, else INVALID_HANDLE. */
export function objCheck(ptr: usize, tag: u32, gen: u32): i32 {
  if (!isLive(ptr)) return INVALID_HANDLE;
  if (<u32>load32(ptr + O_TAG) != tag || <u32>load32(ptr + O_GEN) != gen) return INVALID_HANDLE;
  return load32(ptr + O_REFS) > 0 ? SUCCESS : INVALID_HANDLE;
}

/** +1 reference (Arc::clone). Fails if the object already died: refs never rise from 0. */
export function objRetain(ptr: usize): i32 {
  let refs = load32(ptr + O_REFS);
  while (refs > 0) {
    const seen = cas32(ptr + O_REFS, refs, refs + 1);
    if (seen == refs) return SUCCESS;
    refs = seen;
  }
  return INVALID_HANDLE;
}

/** -1 reference; returns the references left (0: the caller must destroy, then `objFree`). */
export function objRelease(ptr: usize): i32 {
  return sub32(ptr + O_REFS, 1) - 1;
}

/** Frees a dead object (REFS 0): clears its tag first so stale handles fail `objCheck`. */
export function objFree(ptr: usize): i32 {
  store32(ptr + O_TAG, 0);
  store32(ptr + O_GEN, 0);
  return free(ptr);
}

// @ts-ignore: decorator
@inline export function objTag(ptr: usize): u32 { return <u32>load32(ptr + O_TAG); }
// @ts-ignore: decorator
@inline export function objAux(ptr: usize): u32 { return <u32>load32(ptr + O_AUX); }

export { OBJ_HEADER, OUT_OF_MEMORY };
