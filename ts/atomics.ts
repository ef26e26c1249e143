// std::sync::atomic: AtomicI32, AtomicU32, AtomicI64, AtomicU64, AtomicBool, Ordering, fence.
//
//   const n = new weft.AtomicU32(0);
//   weft.spawn([n], (n) => n.fetchAdd(1, weft.Ordering.Relaxed));
//   n.load(weft.Ordering.Acquire);
//
// Files: atomic/ordering.ts (Ordering, validation, fences), atomic/cell.ts (the shared object
// and its view), atomic/int.ts (the integer types), atomic/bool.ts (AtomicBool). Every ordering
// is implemented with sequential consistency, which honours all of them (see ordering.ts).
import { engine, views } from "./engine";
import { registerHandleType, adopt } from "./handle";
import { InvalidHandleError } from "./errors";
import { AtomicCell } from "./atomic/cell";
import { AtomicI32, AtomicU32, AtomicI64, AtomicU64 } from "./atomic/int";
import { AtomicBool } from "./atomic/bool";

export { Ordering, fence, compilerFence } from "./atomic/ordering";
export type { AtomicResult } from "./atomic/ordering";
export { AtomicCell } from "./atomic/cell";
export { AtomicInt, AtomicI32, AtomicU32, AtomicI64, AtomicU64, AtomicUsize, AtomicIsize } from "./atomic/int";
export { AtomicBool } from "./atomic/bool";

// One handle type for the five classes: the kind in AUX picks the class a handle is re-created
// as (clone, fromRaw, a handle received in a message).
const classes: [string, new () => AtomicCell<unknown>][] = [
  ["ATOMIC_I32", AtomicI32], ["ATOMIC_U32", AtomicU32], ["ATOMIC_I64", AtomicI64],
  ["ATOMIC_U64", AtomicU64], ["ATOMIC_BOOL", AtomicBool],
];

registerHandleType("TAG_ATOMIC", {
  name: "Atomic",
  make: (ptr, gen) => {
    const { L } = engine();
    const kind = views().u32[(ptr + L.O_AUX) >>> 2];
    const C = classes.find(([k]) => L[k] === kind)?.[1];
    if (C === undefined) throw new InvalidHandleError("Atomic");
    return adopt({ ptr, gen }, () => new C());
  },
  // Nothing to destroy: the object owns nothing besides its value.
});
