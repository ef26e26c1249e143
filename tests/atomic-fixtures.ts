// Shared fixtures of the atomics tests: the types, their bounds, the ordering sets.
import { weft } from "./helpers";

export const O = weft.Ordering;
export const ALL = [O.Relaxed, O.Release, O.Acquire, O.AcqRel, O.SeqCst];
export const LOAD_OK = [O.Relaxed, O.Acquire, O.SeqCst];
export const STORE_OK = [O.Relaxed, O.Release, O.SeqCst];
export const NOT_ORDERINGS: unknown[] = [undefined, null, 0, 4, "seqcst", "SEQCST", "", {}, Symbol("SeqCst"), new String("SeqCst")];

/** The integer types, with their bounds and a converter from small numbers. */
export const INTS = [
  { name: "AtomicI32", C: weft.AtomicI32, v: (n: number) => n, min: -(2 ** 31), max: 2 ** 31 - 1 },
  { name: "AtomicU32", C: weft.AtomicU32, v: (n: number) => n, min: 0, max: 2 ** 32 - 1 },
  { name: "AtomicI64", C: weft.AtomicI64, v: (n: number) => BigInt(n), min: -(2n ** 63n), max: 2n ** 63n - 1n },
  { name: "AtomicU64", C: weft.AtomicU64, v: (n: number) => BigInt(n), min: 0n, max: 2n ** 64n - 1n },
] as const;

/** Every type: a maker and a valid argument value. */
export const TYPES: { name: string; make: () => any; arg: unknown }[] = [
  ...INTS.map((t) => ({ name: t.name, make: () => new (t.C as any)(t.v(5)), arg: t.v(1) })),
  { name: "AtomicBool", make: () => new weft.AtomicBool(true), arg: true },
];
export const INT_RMW = ["swap", "fetchAdd", "fetchSub", "fetchAnd", "fetchOr", "fetchXor", "fetchNand", "fetchMax", "fetchMin"];
export const BOOL_RMW = ["swap", "fetchAnd", "fetchNand", "fetchOr", "fetchXor"];
export const rmwOf = (name: string) => (name === "AtomicBool" ? BOOL_RMW : INT_RMW);

/** Runs `f` and returns what it threw (fails the test if it did not throw). */
export function thrown(f: () => unknown): any {
  try { f(); } catch (e) { return e; }
  throw new Error("expected a throw");
}
