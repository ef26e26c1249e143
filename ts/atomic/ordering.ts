// std::sync::atomic::Ordering, its validation, and fences.
//
// Every wasm and JS atomic operation is sequentially consistent (DESIGN.md fact 4), and SeqCst is
// at least as strong as every other ordering, so weft implements each ordering with SeqCst: a
// program correct under the orderings it names is correct here. What weft does keep from Rust is
// the validation: the orderings Rust rejects with a panic (a Release load, an Acquire store, a
// Release/AcqRel failure ordering, a Relaxed fence) throw OrderingError here, so code written
// against weft stays valid Rust-style code. A value that is not an Ordering at all (a typo, a
// missing argument) is an InvalidArgumentError.
import { engineOrNull, views } from "../engine";
import { InvalidArgumentError, OrderingError } from "../errors";

/** Memory orderings, as in Rust. Values are their own names, so they read well in messages. */
export const Ordering = Object.freeze({
  Relaxed: "Relaxed",
  Release: "Release",
  Acquire: "Acquire",
  AcqRel: "AcqRel",
  SeqCst: "SeqCst",
} as const);
export type Ordering = (typeof Ordering)[keyof typeof Ordering];

/** Rust's `Result<T, T>` of compareExchange and fetchUpdate: `value` is the previous value. */
export type AtomicResult<T> = { ok: true; value: T } | { ok: false; value: T };

// The checks below are written as chains of `!==` against the interned names: a few pointer
// compares on the fast path; messages (and the "AtomicI32.load" names) are built on the cold paths.

/** Any ordering (swap, fetchAdd, …, the success ordering of compareExchange). */
export function checkAny(o: unknown, self: object, method: string): void {
  if (o !== "SeqCst" && o !== "Relaxed" && o !== "AcqRel" && o !== "Acquire" && o !== "Release") notOrdering(o, self, method);
}

/** A load ordering: Relaxed, Acquire or SeqCst. */
export function checkLoad(o: unknown, self: object, method: string): void {
  if (o !== "SeqCst" && o !== "Relaxed" && o !== "Acquire") badLoad(o, self, method);
}

/** A store ordering: Relaxed, Release or SeqCst. */
export function checkStore(o: unknown, self: object, method: string): void {
  if (o !== "SeqCst" && o !== "Relaxed" && o !== "Release") badStore(o, self, method);
}

/** A compareExchange failure ordering (a load): Relaxed, Acquire or SeqCst. */
export function checkFailure(o: unknown, self: object, method: string): void {
  if (o !== "SeqCst" && o !== "Relaxed" && o !== "Acquire") badFailure(o, self, method);
}

function notOrdering(o: unknown, self: object, method: string): never {
  throw new InvalidArgumentError(`${who(self, method)}: expected an Ordering (weft.Ordering.Relaxed … SeqCst), got ${show(o)}`);
}

function badLoad(o: unknown, self: object, method: string): never {
  if (o === "Release") throw new OrderingError(`${who(self, method)}: there is no such thing as a release load`);
  if (o === "AcqRel") throw new OrderingError(`${who(self, method)}: there is no such thing as an acquire-release load`);
  return notOrdering(o, self, method);
}

function badStore(o: unknown, self: object, method: string): never {
  if (o === "Acquire") throw new OrderingError(`${who(self, method)}: there is no such thing as an acquire store`);
  if (o === "AcqRel") throw new OrderingError(`${who(self, method)}: there is no such thing as an acquire-release store`);
  return notOrdering(o, self, method);
}

function badFailure(o: unknown, self: object, method: string): never {
  if (o === "Release") throw new OrderingError(`${who(self, method)}: there is no such thing as a release failure ordering`);
  if (o === "AcqRel") throw new OrderingError(`${who(self, method)}: there is no such thing as an acquire-release failure ordering`);
  return notOrdering(o, self, method);
}

/** "AtomicI32.load" for a method of an instance; "fence" for a function. */
function who(self: object, method: string): string {
  return typeof self === "function" ? self.name : `${self.constructor.name}.${method}`;
}

/** A value for an error message (never throws: symbols and odd objects included). */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  try { return String(v); } catch { return Object.prototype.toString.call(v); }
}

// ---- fences ----------------------------------------------------------------------------------

let privateWord: Int32Array | null = null;

/**
 * A full fence: one atomic read-modify-write of a word no one else writes (`or 0` changes
 * nothing). Wasm has no fence instruction usable here (DESIGN.md fact 4) and JS has none at all;
 * an RMW is a SeqCst operation, which orders every access before it against every access after
 * it, so it is at least as strong as any fence Rust's orderings ask for.
 */
function fullFence(): void {
  const e = engineOrNull();
  if (e !== null) {
    // The engine header's SCRATCH word is reserved for fences; nothing else writes it.
    Atomics.or(views().i32, e.L.H_SCRATCH >>> 2, 0);
    return;
  }
  // Before init: a private word (all SeqCst atomics of the agent cluster are in one total order).
  privateWord ??= new Int32Array(typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
  Atomics.or(privateWord, 0, 0);
}

/** Rust's `std::sync::atomic::fence`. Relaxed throws OrderingError, as it panics in Rust. */
export function fence(o: Ordering): void {
  if (o !== "SeqCst" && o !== "AcqRel" && o !== "Acquire" && o !== "Release") {
    if (o === "Relaxed") throw new OrderingError("fence: there is no such thing as a relaxed fence");
    notOrdering(o, fence, "");
  }
  fullFence();
}

/**
 * Rust's `compiler_fence`: JS engines give no weaker, compiler-only barrier, so this is the full
 * fence (stronger, hence correct). Relaxed throws OrderingError, as it panics in Rust.
 */
export function compilerFence(o: Ordering): void {
  if (o !== "SeqCst" && o !== "AcqRel" && o !== "Acquire" && o !== "Release") {
    if (o === "Relaxed") throw new OrderingError("compilerFence: there is no such thing as a relaxed compiler fence");
    notOrdering(o, compilerFence, "");
  }
  fullFence();
}
