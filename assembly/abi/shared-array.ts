// ABI exports for SharedArray: a typed array's elements in the shared heap.
//
// The object is small and fixed; the elements are a separate heap block, so element data of any
// size is 8-byte aligned (heap payloads are) and every element type can be viewed in place.
//
//   object (TAG_SHARED_ARRAY, aux = ELEM_* element type)      data block
//   +0  header (tag, gen, refs, aux)                          +-----------------------------+
//   +16 LENGTH  elements                                       | LENGTH x element, 8-aligned |
//   +20 DATA    address of the data block  ------------------> +-----------------------------+
//   +24 BYTES   byte length of the elements (LENGTH * size)
//   +32 end
//
// LENGTH, DATA and BYTES are written once, before the first handle exists, and never change, so
// any thread that validated a handle may read them plainly. The elements themselves belong to the
// program: it synchronises its own accesses (Atomics on the view, locks, joins). The data block
// is freed by `shared_array_destroy` when the last handle drops (ts/handle.ts releaseRef).
import { objNew, OBJ_HEADER } from "../engine/object";
import { malloc, free, MAX_ALLOC } from "../heap/index";
import { load32, store32 } from "../sync/atomic";
import { TAG_SHARED_ARRAY } from "../layout";

export const SA_LENGTH: usize = OBJ_HEADER;
export const SA_DATA: usize = OBJ_HEADER + 4;
export const SA_BYTES: usize = OBJ_HEADER + 8;
export const SA_SIZE: usize = OBJ_HEADER + 16;
/** Largest element data a SharedArray may have (the heap's largest request). */
export const SA_MAX_BYTES: usize = MAX_ALLOC;

// Element types (the host maps each typed-array constructor to one of these).
export const ELEM_INT8: u32 = 1;
export const ELEM_UINT8: u32 = 2;
export const ELEM_UINT8_CLAMPED: u32 = 3;
export const ELEM_INT16: u32 = 4;
export const ELEM_UINT16: u32 = 5;
export const ELEM_INT32: u32 = 6;
export const ELEM_UINT32: u32 = 7;
export const ELEM_FLOAT32: u32 = 8;
export const ELEM_FLOAT64: u32 = 9;
export const ELEM_BIGINT64: u32 = 10;
export const ELEM_BIGUINT64: u32 = 11;

/** Bytes per element of `elem`, 0 if unknown (a switch: the engine keeps no static tables). */
function elemSize(elem: u32): usize {
  switch (elem) {
    case ELEM_INT8: case ELEM_UINT8: case ELEM_UINT8_CLAMPED: return 1;
    case ELEM_INT16: case ELEM_UINT16: return 2;
    case ELEM_INT32: case ELEM_UINT32: case ELEM_FLOAT32: return 4;
    case ELEM_FLOAT64: case ELEM_BIGINT64: case ELEM_BIGUINT64: return 8;
  }
  return 0;
}

/**
 * A SharedArray of `length` zeroed elements of type `elem` (REFS = 1); 0 when out of memory or
 * the arguments are invalid (the host validates them first, so 0 means out of memory there).
 */
export function shared_array_new(elem: u32, length: u32): usize {
  const size = elemSize(elem);
  if (size == 0) return 0;
  const bytes = <u64>length * <u64>size;
  if (bytes > <u64>SA_MAX_BYTES) return 0;
  const data = malloc(<usize>bytes > 0 ? <usize>bytes : 1);
  if (data == 0) return 0;
  const p = objNew(TAG_SHARED_ARRAY, SA_SIZE, elem);
  if (p == 0) { free(data); return 0; }
  memory.fill(data, 0, <usize>bytes);
  // Plain fields written before the pointer leaves this thread; the host publishes the handle
  // through SeqCst operations (message encoding, lock slots), which order these stores.
  store32(p + SA_LENGTH, <i32>length);
  store32(p + SA_DATA, <i32>data);
  store32(p + SA_BYTES, <i32>bytes);
  return p;
}

/** Frees the element data of a dead SharedArray (REFS 0; the caller then frees the object). */
export function shared_array_destroy(p: usize): i32 {
  const data = <usize>load32(p + SA_DATA);
  if (data == 0) return 0;
  store32(p + SA_DATA, 0); // no handle exists any more: nothing reads DATA after this
  return free(data);
}

