// How a guard (MutexGuard, RwLockReadGuard, RwLockWriteGuard) reads and writes its lock's value
// slot, in one place. Numbers are read and written in place (the guards inline that fast
// path); structured values are decoded once per guard into `anyCache` and, at release, written
// back only if they changed (value.ts writeBackSlot), so read-only guards allocate nothing.
import { Kind, readSlot, replaceSlot, writeBackSlot } from "../value";

/** What a guard needs of its lock (Mutex and RwLock provide it). */
export interface ValueSlot {
  readonly kind: number;
  readonly slot: number;
  readonly f64: Float64Array;
}

/** The guard's cache of a decoded structured value (null until read or set). */
export interface ValueCache { anyCache: { value: unknown } | null; }

/** The value, for any kind but the number fast path the guard already took. */
export function getValue(l: ValueSlot, g: ValueCache): unknown {
  if (l.kind === Kind.ANY) return (g.anyCache ??= { value: readSlot(l.slot, l.kind) }).value;
  return readSlot(l.slot, l.kind);
}

/** Stores `v` (checked and, for structured values, encoded now so a bad value fails here). */
export function setValue(l: ValueSlot, g: ValueCache, v: unknown): void {
  replaceSlot(l.slot, l.kind, v);
  if (l.kind === Kind.ANY) g.anyCache = { value: v }; // later mutations of v are written back
}

/**
 * Before the lock is released: writes a (possibly mutated) structured value back. Returns the
 * error if it can no longer be encoded (the old value stays; the caller still releases the
 * lock and throws it after), else null.
 */
export function flushValue(l: ValueSlot, g: ValueCache): unknown {
  const c = g.anyCache;
  if (c === null) return null;
  g.anyCache = null;
  try { writeBackSlot(l.slot, c.value); return null; } catch (e) { return e; }
}
