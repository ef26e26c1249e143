// Helpers shared by the library's primitive views (assembly/lib/*.ts): plain value kinds, and the
// reference count (Arc) of every shared object.
import { objRetain, objRelease, objFree } from "../engine/object";
import { KIND_NUMBER, KIND_BIGINT, KIND_BOOL } from "../layout";

/** Whether a lock made by a kernel may hold values of `kind`: the plain ones, kept in the slot itself. */
// @ts-ignore: decorator
@inline export function isPlainKind(kind: u32): bool {
  return kind == KIND_NUMBER || kind == KIND_BIGINT || kind == KIND_BOOL;
}

/**
 * +1 reference to the shared object at `ptr` (Arc::clone): SUCCESS, or INVALID_HANDLE if it had
 * already died (references never rise from 0).
 */
export function retainObject(ptr: usize): i32 { return objRetain(ptr); }

/**
 * -1 reference (Arc drop); the last one frees the object. Returns the references left. Only for
 * objects without owned contents: a Mutex/RwLock holding a plain value (number, bigint, boolean),
 * a Condvar, Barrier, Once, Semaphore or WaitGroup. A lock holding a handle or a structured value,
 * and a OnceLock, must be dropped by JS (it frees what the value owns).
 */
export function dropObject(ptr: usize): i32 {
  const left = objRelease(ptr);
  // REFS reached 0: no other reference exists, so nothing else can reach the object any more.
  if (left == 0) objFree(ptr);
  return left;
}
