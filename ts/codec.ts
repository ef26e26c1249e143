// Structured values in the shared heap, encoded with msgpackr (MessagePack with structured-clone
// extensions: cycles, Map, Set, Date, RegExp, Error, typed arrays, bigint).
//
// weft handles (Mutex, SharedArray, …) travel inside values as an extension [tag, ptr, gen]:
// encoding takes a reference for the message, decoding adopts it into the new handle (checked
// against the heap first). Guards and other thread-bound objects refuse to be encoded (NotSend);
// functions, symbols, WeakMap/WeakSet and Promises are values no thread can receive.
import { Packr, addExtension } from "msgpackr";
import { SharedHandle, handleFromWire, releaseRef } from "./handle";
import { alloc, engine, views } from "./engine";
import { InvalidHandleError, NotSendError, UnsupportedValueError, WeftError } from "./errors";

/**
 * Declares `Class` bound to its thread (guards, join handles): encoding one throws NotSendError.
 * (A registration rather than a base class, so hot classes like guards stay flat.)
 */
export function notSend(Class: Function, name: string): void {
  addExtension({
    Class: Class as new () => unknown,
    type: 0x60 + notSendCount++,
    write() { throw new NotSendError(name); },
    read() { throw new NotSendError(name); },
  });
}
let notSendCount = 0;

let retained: number[] | null = null;
let decoded: SharedHandle[] | null = null;
let borrowing = false;

addExtension({
  Class: SharedHandle as unknown as new () => SharedHandle,
  type: 0x57,
  write(h: SharedHandle) {
    const wire = h.toWire();
    retained?.push(wire[1]);
    return wire;
  },
  read(wire: [number, number, number]) {
    // Borrowing decodes (a value still stored in a lock) take a reference of their own; consuming
    // decodes (a message that is freed after) adopt the one the message carried.
    if (borrowing && engine().x.obj_retain(wire[1] >>> 0) !== 0) throw new InvalidHandleError("handle");
    const h = handleFromWire(wire[0], wire[1], wire[2]);
    decoded?.push(h);
    return h;
  },
});
const refused: [Function, string][] = [
  [Function, "a function"], [WeakMap, "a WeakMap"], [WeakSet, "a WeakSet"], [Promise, "a Promise"],
];
refused.forEach(([Class, what], i) => addExtension({
  Class: Class as new () => unknown,
  type: 0x59 + i,
  write() { throw new UnsupportedValueError(`${what} cannot be shared between threads`); },
  read() { throw new UnsupportedValueError(`${what} cannot be shared between threads`); },
}));

const options = { structuredClone: true, moreTypes: true, mapsAsObjects: false, useRecords: true };
const packr = new Packr(options);
const unpackr = new Packr(options);

/** A heap block holding an encoding: `len` bytes at `ptr + reserve`; `handles` references inside. */
export interface Encoded { ptr: number; len: number; handles: number; }

/**
 * Encodes `value` into a fresh heap block. Throws typed errors; on failure nothing is leaked.
 * `reserve` bytes are left free (uninitialised) before the encoding for the caller's header: the
 * block is `ptr`, the encoding starts at `ptr + reserve` (a channel's message block).
 */
export function encodeToHeap(value: unknown, reserve = 0): Encoded {
  return encodeInto(value, 0, 0, reserve)!;
}

/**
 * Like encodeToHeap, but returns null (allocating nothing, taking no references) when the
 * encoding equals the `len` bytes already at `ptr`: a write-back of an unchanged value is free.
 */
export function encodeUnlessSame(value: unknown, ptr: number, len: number): Encoded | null {
  return encodeInto(value, ptr, len, 0);
}

function encodeInto(value: unknown, ptr: number, len: number, reserve: number): Encoded | null {
  const outer = retained;
  retained = [];
  const mine = retained;
  try {
    let bytes: Uint8Array;
    try {
      bytes = packr.pack(value);
    } catch (e) {
      if (e instanceof WeftError) throw e;
      throw new UnsupportedValueError(`cannot share this value between threads: ${(e as Error).message}`);
    }
    if (ptr !== 0 && bytes.length === len && sameBytes(bytes, views().u8, ptr)) {
      for (const p of mine) releaseRef(p); // the slot keeps the references it already has
      return null;
    }
    const at = alloc(Math.max(reserve + bytes.length, 1));
    views().u8.set(bytes, at + reserve);
    return { ptr: at, len: bytes.length, handles: mine.length };
  } catch (e) {
    for (const p of mine) releaseRef(p);
    throw e;
  } finally {
    retained = outer;
  }
}

function sameBytes(a: Uint8Array, heap: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== heap[at + i]) return false;
  return true;
}

/**
 * Decodes a message from the heap, consuming it: handles inside adopt the references the encoding
 * took (the caller frees the bytes next). `track` collects them (a task drops its argument
 * handles at exit).
 */
export function decodeFromHeap(ptr: number, len: number, track?: SharedHandle[]): unknown {
  return decode(ptr, len, track ?? null, false);
}

/** Decodes a value that stays stored (a lock's value): handles inside get references of their own. */
export function decodeBorrowed(ptr: number, len: number): unknown {
  return decode(ptr, len, null, true);
}

function decode(ptr: number, len: number, track: SharedHandle[] | null, borrow: boolean): unknown {
  // Copy out first: decoders (TextDecoder in browsers) refuse views of shared memory.
  const bytes = views().u8.slice(ptr, ptr + len);
  const outer = decoded, outerBorrow = borrowing;
  decoded = track;
  borrowing = borrow;
  try {
    return unpackr.unpack(bytes);
  } finally {
    decoded = outer;
    borrowing = outerBorrow;
  }
}

/**
 * Frees encoded bytes; if they carried handles, decodes them first to give their references back.
 * `reserve`: the encoding starts that far into the block at `ptr` (encodeToHeap's `reserve`).
 */
export function freeEncoded(ptr: number, len: number, handles: boolean, reserve = 0): void {
  if (handles) {
    const hs: SharedHandle[] = [];
    decodeFromHeap(ptr + reserve, len, hs);
    for (const h of hs) h.drop();
  }
  engine().x.heap_free(ptr);
}

/** Base-class form of `notSend` (for classes that prefer inheritance; subclasses are covered). */
export abstract class ThreadBound {}
notSend(ThreadBound, "thread-bound object");
