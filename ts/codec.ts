// Structured values in the shared heap, encoded with msgpackr (MessagePack with structured-clone
// extensions: cycles, Map, Set, Date, RegExp, Error, typed arrays, bigint).
//
// weft handles (Mutex, SharedArray, …) travel inside values as an extension [tag, ptr, gen]:
// encoding takes a reference for the message, decoding adopts it into the new handle (checked
// against the heap first). Guards and other thread-bound objects refuse to be encoded (NotSend);
// functions, symbols, WeakMap/WeakSet and Promises are values no thread can receive.
import { Packr, addExtension, REUSE_BUFFER_MODE, RESET_BUFFER_MODE } from "msgpackr";
import { SharedHandle, handleFromWire, releaseRef } from "./handle";
import { Engine, alloc, engine, onDetach, views } from "./engine";
import { InvalidHandleError, NotSendError, UnsupportedValueError, WeftError } from "./errors";

/**
 * Declares `Class` bound to its thread (guards, join handles): encoding one throws NotSendError.
 * (A registration rather than a base class, so hot classes like guards stay flat.)
 */
export function notSend(Class: Function, name: string): void {
  // Extension types NOT_SEND_FIRST.. are ours; msgpackr's own (0x42 'B', 0x62 'b', 0x65 'e',
  // 0x69 'i', 0x70 'p', 0x73 's', 0x74 't', 0x78 'x', 0xff) and weft's handle (0x57) and refused
  // types (0x59..) must never be shadowed: taking 0x65 once broke Error round trips.
  if (notSendCount >= NOT_SEND_MAX) throw new Error(`notSend: more than ${NOT_SEND_MAX} thread-bound classes`);
  addExtension({
    Class: Class as new () => unknown,
    type: NOT_SEND_FIRST + notSendCount++,
    write() { throw new NotSendError(name); },
    read() { throw new NotSendError(name); },
  });
}
let notSendCount = 0;
const NOT_SEND_FIRST = 0x20;
const NOT_SEND_MAX = 0x20; // 0x20..0x3f: clear of every type above

// Handle references taken by the encodings in progress (a stack: an encoding owns the entries
// from its `mark` up), and the handles decodes re-create (tracked only where a caller asks).
const retained: number[] = [];
let encMark = 0;
let decoded: SharedHandle[] | null = null;
let borrowing = false;

addExtension({
  Class: SharedHandle as unknown as new () => SharedHandle,
  type: 0x57,
  write(h: SharedHandle) {
    const wire = h.toWire();
    retained.push(wire[1]);
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

// ---- shared record structures -----------------------------------------------------------------
//
// msgpackr writes an object as a record: an id naming its key list (a "structure"), then the
// values. A structure the encoding defines inline costs its key strings in every message (and
// their decoding); a shared structure costs one byte. All threads of an engine share up to
// MAX_SHARED structures through the engine header (CODEC_AREA, assembly/abi/codec.ts), with
// msgpackr's hooks for a shared store (README "Shared Structures"):
//
//   getStructures()     reads the list under CODEC_LOCK. msgpackr calls it on this thread's first
//                       encoding, and whenever a decoding meets a record id it does not know (a
//                       structure another thread added since): ids are only ever appended, and
//                       the encoder appended before it sent the message that uses the id (the
//                       message's publication orders the two), so the reload finds it.
//   saveStructures()    called by an encoding that added structures, before the encoding is
//                       returned (so before anyone can receive it). Under CODEC_LOCK: if the stored
//                       list is not the one this thread built on (isCompatible: another thread
//                       appended meanwhile, possibly different structures at the same ids), it
//                       saves nothing and returns false, and msgpackr re-encodes the value over
//                       the stored list (appending again, to the new end); else it stores the
//                       longer list. Two threads adding at once: one wins, the other retries.
//   shouldShareStructure()  keeps the list inside CODEC_AREA: a structure is shared only while
//                       the stored bytes (as this thread last saw them) plus what this encoding
//                       already chose to share leave room for it; others stay inline, as do all
//                       structures past MAX_SHARED. (A stale view only matters when the list grew
//                       meanwhile, and then the save is refused and the encoding redone.)
//
// The per-thread Packr (one instance encodes and decodes, so both sides see the same list) is
// bound to its engine: a new engine (shutdown, then init) has a new, empty store, so a new Packr.
// Equal encodings still mean equal values (encodeUnlessSame): an id names one key list for the
// engine's whole life, and inline structures travel with the bytes.

/** Structures shared through the engine: msgpackr's default, which keeps record ids one byte. */
const MAX_SHARED = 32;
/** A structure whose key list takes more bytes than this (a dictionary-like object) stays inline. */
const MAX_SHARED_ONE = 2048;
/** Encodings that re-use their scratch space (msgpackr REUSE_BUFFER_MODE | RESET_BUFFER_MODE). */
const PACK_MODE = REUSE_BUFFER_MODE | RESET_BUFFER_MODE;
/** Largest message decoded through the per-thread scratch buffer (bigger ones get a fresh copy). */
const SCRATCH_MAX = 65536;

interface CodecState {
  e: Engine;
  packr: Packr;
  /** Engine header words (the first page never moves, so this view stays valid through growth). */
  hdr: Int32Array;
  /** CODEC_AREA. */
  area: Uint8Array;
  iCount: number;
  iBytes: number;
  /** CODEC_BYTES as this thread last read or wrote it. */
  known: number;
  /** Bytes of the structures the encoding in progress chose to share (not yet saved). */
  pending: number;
}
let st: CodecState | null = null;
let hooked = false;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** This thread's codec for the current engine (a new one after the engine changed). */
function codec(): CodecState {
  const e = engine();
  return st !== null && st.e === e ? st : attachCodec(e);
}

function attachCodec(e: Engine): CodecState {
  if (!hooked) { onDetach.push(() => { st = null; }); hooked = true; } // let a gone engine's memory go
  const L = e.L;
  const s: CodecState = {
    e, packr: null!,
    hdr: new Int32Array(e.memory.buffer, 0, L.CODEC_AREA >>> 2),
    area: new Uint8Array(e.memory.buffer, L.CODEC_AREA, L.CODEC_AREA_SIZE),
    iCount: L.H_CODEC_COUNT >>> 2, iBytes: L.H_CODEC_BYTES >>> 2, known: 0, pending: 0,
  };
  s.packr = new Packr({
    structuredClone: true, moreTypes: true, mapsAsObjects: false, useRecords: true,
    // Decodes read a reused scratch buffer: binary values must be copies, not views of it.
    copyBuffers: true,
    maxSharedStructures: MAX_SHARED,
    getStructures: () => loadStructures(s),
    saveStructures: (list: StructureList, isCompatible: (existing: string[][]) => boolean) =>
      saveStructures(s, list, isCompatible),
    shouldShareStructure: (keys: string[]) => shouldShare(s, keys),
  } as unknown as ConstructorParameters<typeof Packr>[0]);
  st = s;
  return s;
}

type StructureList = string[][] & { sharedLength?: number };

/** A private copy of the stored list's bytes; CODEC_LOCK must be held. */
function copyLocked(s: CodecState): Uint8Array {
  // Copied out: TextDecoder refuses views of shared memory (and the lock is held only this long).
  return s.area.slice(0, Atomics.load(s.hdr, s.iBytes));
}

function parseList(bytes: Uint8Array): string[][] {
  return bytes.length === 0 ? [] : JSON.parse(fromUtf8.decode(bytes)) as string[][];
}

function loadStructures(s: CodecState): string[][] {
  const { x } = s.e;
  x.codec_lock();
  let bytes: Uint8Array;
  try { bytes = copyLocked(s); } finally { x.codec_unlock(); }
  s.known = bytes.length;
  s.pending = 0;
  return parseList(bytes);
}

function saveStructures(s: CodecState, list: StructureList, isCompatible: (existing: string[][]) => boolean): boolean {
  const n = list.sharedLength ?? list.length;
  const json = utf8.encode(JSON.stringify(list.slice(0, n)));
  const { x } = s.e;
  let saved: boolean;
  x.codec_lock();
  try {
    const cur = copyLocked(s);
    saved = isCompatible(parseList(cur));
    if (saved) {
      // shouldShare keeps this within the area (it counts exactly the bytes added to what it knew).
      if (json.length > s.area.length) throw new WeftError("INTERNAL", "weft: codec structures overflow their area");
      s.area.set(json, 0);
      Atomics.store(s.hdr, s.iBytes, json.length);
      Atomics.store(s.hdr, s.iCount, n);
    }
    s.known = saved ? json.length : cur.length;
    s.pending = 0;
  } finally {
    x.codec_unlock();
  }
  // Refused: another thread appended first. msgpackr has merged the stored list and re-encodes
  // the value over it; the handle references this attempt took are taken again by the next one.
  // (Given back outside the lock: giving back may drop objects, which may decode.)
  if (!saved) releaseFrom(encMark);
  return saved;
}

function shouldShare(s: CodecState, keys: string[]): boolean {
  // What the stored JSON grows by: the key list, a comma, and "[]" when it was empty.
  const add = utf8.encode(JSON.stringify(keys)).length + 1;
  if (add > MAX_SHARED_ONE || s.known + s.pending + add + 2 > s.area.length) return false;
  s.pending += add;
  return true;
}

// ---- encoding ---------------------------------------------------------------------------------

/** A heap block holding an encoding: `len` bytes at `ptr + reserve`; `handles` references inside. */
export interface Encoded { ptr: number; len: number; handles: number; }

/** Length and handle count of the latest encodeBlock (valid until the next encoding). */
export const lastEncoded = { len: 0, handles: 0 };

/**
 * Encodes `value` into a fresh heap block. Throws typed errors; on failure nothing is leaked.
 * `reserve` bytes are left free (uninitialised) before the encoding for the caller's header: the
 * block is `ptr`, the encoding starts at `ptr + reserve` (a channel's message block).
 */
export function encodeToHeap(value: unknown, reserve = 0): Encoded {
  const ptr = encodeInto(value, 0, 0, reserve);
  return { ptr, len: lastEncoded.len, handles: lastEncoded.handles };
}

/** encodeToHeap without the result object: returns the block; its len and handles are in lastEncoded. */
export function encodeBlock(value: unknown, reserve: number): number {
  return encodeInto(value, 0, 0, reserve);
}

/**
 * Like encodeToHeap, but returns null (allocating nothing, taking no references) when the
 * encoding equals the `len` bytes already at `ptr`: a write-back of an unchanged value is free.
 */
export function encodeUnlessSame(value: unknown, ptr: number, len: number): Encoded | null {
  const at = encodeInto(value, ptr, len, 0);
  return at === 0 ? null : { ptr: at, len: lastEncoded.len, handles: lastEncoded.handles };
}

/** Gives back the references taken by encodings from `mark` up. */
function releaseFrom(mark: number): void {
  while (retained.length > mark) releaseRef(retained.pop()!);
}

/** Encodes into a fresh block (0 when the encoding equals the `len` bytes at `ptr`, if non-zero). */
function encodeInto(value: unknown, ptr: number, len: number, reserve: number): number {
  const s = codec();
  const outerMark = encMark;
  const mark = encMark = retained.length;
  s.pending = 0;
  try {
    let out: Uint8Array & { start?: number; end?: number };
    try {
      out = s.packr.pack(value, PACK_MODE) as Uint8Array & { start?: number; end?: number };
    } catch (e) {
      if (e instanceof WeftError) throw e;
      throw new UnsupportedValueError(`cannot share this value between threads: ${(e as Error).message}`);
    }
    // REUSE_BUFFER_MODE hands back msgpackr's whole buffer with the encoding at [start, end), or
    // a view of just the encoding (after saving structures).
    let from = 0, n = out.length;
    if (typeof out.end === "number") { from = out.start!; n = out.end - from; }
    if (ptr !== 0 && n === len && sameBytes(out, from, views().u8, ptr, n)) {
      releaseFrom(mark); // the slot keeps the references it already has
      return 0;
    }
    const at = alloc(reserve + n || 1);
    const u8 = views().u8; // after alloc: the memory may have grown
    const to = at + reserve;
    if (n <= 64) for (let i = 0; i < n; i++) u8[to + i] = out[from + i];
    else u8.set(out.subarray(from, from + n), to);
    lastEncoded.len = n;
    lastEncoded.handles = retained.length - mark;
    if (retained.length !== mark) retained.length = mark; // the block owns them now
    return at;
  } catch (e) {
    releaseFrom(mark);
    throw e;
  } finally {
    encMark = outerMark;
  }
}

function sameBytes(a: Uint8Array, from: number, heap: Uint8Array, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[from + i] !== heap[at + i]) return false;
  return true;
}

// ---- decoding ---------------------------------------------------------------------------------

// Decoders (TextDecoder in browsers) refuse views of shared memory, so the bytes are copied out
// first: into this reused buffer (msgpackr caches its DataView), or a fresh copy when a decoding
// is already using it or the message is large.
let scratch = new Uint8Array(1024);
let scratchBusy = false;

/** A private copy of `len` bytes at `ptr`; `release` afterwards when it is the scratch buffer. */
function copyOut(ptr: number, len: number): Uint8Array {
  const u8 = views().u8;
  if (scratchBusy || len > SCRATCH_MAX) return u8.slice(ptr, ptr + len);
  if (scratch.length < len) scratch = new Uint8Array(Math.max(len, scratch.length * 2));
  const b = scratch;
  if (len <= 64) for (let i = 0; i < len; i++) b[i] = u8[ptr + i];
  else b.set(u8.subarray(ptr, ptr + len));
  scratchBusy = true;
  return b;
}

function unpack(s: CodecState, bytes: Uint8Array, len: number, track: SharedHandle[] | null, borrow: boolean): unknown {
  const outer = decoded, outerBorrow = borrowing;
  decoded = track;
  borrowing = borrow;
  try {
    return s.packr.unpack(bytes, len);
  } finally {
    decoded = outer;
    borrowing = outerBorrow;
    if (bytes === scratch) scratchBusy = false;
  }
}

/**
 * Decodes a message from the heap, consuming it: handles inside adopt the references the encoding
 * took (the caller frees the bytes next). `track` collects them (a task drops its argument
 * handles at exit).
 */
export function decodeFromHeap(ptr: number, len: number, track?: SharedHandle[]): unknown {
  const s = codec();
  return unpack(s, copyOut(ptr, len), len, track ?? null, false);
}

/**
 * Decodes the message in heap block `block` (encoding at `block + reserve`, `len` bytes) and frees
 * the block (as soon as the bytes are copied out, so also when decoding throws). Consuming, as
 * decodeFromHeap.
 */
export function decodeBlock(block: number, reserve: number, len: number, track: SharedHandle[] | null): unknown {
  const s = codec();
  let bytes: Uint8Array;
  try {
    bytes = copyOut(block + reserve, len);
  } finally {
    s.e.x.heap_free(block);
  }
  return unpack(s, bytes, len, track, false);
}

/** Decodes a value that stays stored (a lock's value): handles inside get references of their own. */
export function decodeBorrowed(ptr: number, len: number): unknown {
  const s = codec();
  return unpack(s, copyOut(ptr, len), len, null, true);
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
