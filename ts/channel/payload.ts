// Payloads: how a message becomes the one f64 a channel slot holds, and back.
//
//   "f64" | "i32" | "u32"   the number itself (checked against the kind's range)
//   "bytes" | "any"         the pointer of a message block in the shared heap:
//
//     ptr +0       +4          +8
//         +--------+-----------+---------------------------+
//         | LEN    | HANDLES   | LEN bytes                 |    one heap_alloc(8 + LEN) block
//         +--------+-----------+---------------------------+
//     LEN      byte count of the body (0 is fine: the block is then just the header)
//     HANDLES  references to weft objects the body carries (always 0 for "bytes"; for "any" the
//              codec's count: encoding took one reference per handle inside, ts/codec.ts)
//     body     "bytes": the sender's bytes, copied; "any": the msgpackr encoding (codec.ts)
//
//   The block is written by the sender before the send publishes its pointer (the flavor's
//   atomic publication of the slot is the release, the receive's atomic read of it the acquire:
//   plain reads and writes of the block are safe on both sides), and owned by exactly one party
//   at a time: the sender until the send succeeds, then the channel, then the one receiver that
//   took it (or the host when the last end of the channel is dropped with messages still
//   buffered: dropChannel / drainBlocks).
//
// A Payload is chosen once per channel end (by the channel's kind code); the send paths call
// encode → (try the send) → discard on failure, the receive paths decode what they took.
import { Code, InvalidArgumentError, OutOfMemoryError, UnsupportedValueError } from "../errors";
import { alloc, engine, views } from "../engine";
import { SharedHandle } from "../handle";
import { encodeBlock, lastEncoded, decodeBlock, freeEncoded } from "../codec";

/** Payload kind names as users write them in `{ of }`. */
export type PayloadKind = "f64" | "i32" | "u32" | "bytes" | "any";

export interface Payload {
  /** Kind name, for messages. */
  readonly name: PayloadKind;
  /** The slot value for `value`. Throws a typed error (and allocates nothing) on bad input. */
  encode(value: unknown, what: string): number;
  /** Gives back what encode allocated, for a message that was not sent. */
  discard(slot: number): void;
  /** The message that slot value `slot` stands for; takes over whatever encode allocated. */
  decode(slot: number): unknown;
}

const f64: Payload = {
  name: "f64",
  encode(value, what) { return checkNumber(value, what, "f64"); },
  discard() {},
  decode(slot) { return slot; },
};
const i32: Payload = {
  name: "i32",
  encode(value, what) {
    const v = checkNumber(value, what, "i32");
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7FFFFFFF) {
      throw new InvalidArgumentError(`${what}: an i32 channel carries integers in [-2^31, 2^31 - 1], got ${v}`);
    }
    return v | 0;
  },
  discard() {},
  decode(slot) { return slot; },
};
const u32: Payload = {
  name: "u32",
  encode(value, what) {
    const v = checkNumber(value, what, "u32");
    if (!Number.isInteger(v) || v < 0 || v > 0xFFFFFFFF) {
      throw new InvalidArgumentError(`${what}: a u32 channel carries integers in [0, 2^32 - 1], got ${v}`);
    }
    return v >>> 0;
  },
  discard() {},
  decode(slot) { return slot; },
};

function checkNumber(value: unknown, what: string, kind: PayloadKind): number {
  if (typeof value !== "number") {
    throw new UnsupportedValueError(`${what}: this channel carries numbers (${kind}), got ${typeof value}`);
  }
  return value;
}

// Message block fields (see the diagram above).
const B_LEN = 0;
const B_HANDLES = 4;
/** Header bytes before the body. */
export const BLOCK_HEADER = 8;

/** Frees message block `p`, giving back the handle references its body carries. */
function freeBlock(p: number): void {
  const u32 = views().u32;
  const len = u32[(p + B_LEN) >>> 2], handles = u32[(p + B_HANDLES) >>> 2];
  freeEncoded(p, len, handles !== 0, BLOCK_HEADER);
}

/** The bytes of `value` as a view (no copy), or null when it is no byte source. */
function bytesOf(value: unknown, what: string): Uint8Array | null {
  // By brand rather than instanceof: buffers from another realm (a vm context, an iframe) count too.
  const brand = Object.prototype.toString.call(value);
  const isBuffer = brand === "[object ArrayBuffer]" || brand === "[object SharedArrayBuffer]";
  if (!isBuffer && !ArrayBuffer.isView(value)) return null;
  try {
    if (isBuffer) return new Uint8Array(value as ArrayBufferLike);
    const v = value as ArrayBufferView;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  } catch (e) { // a detached (transferred) buffer
    throw new UnsupportedValueError(`${what}: cannot read these bytes (${(e as Error).message})`);
  }
}

/** What `value` is, for messages: its type, or its class for objects. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return (value as object).constructor?.name ?? "object";
}

const bytes: Payload = {
  name: "bytes",
  encode(value, what) {
    const src = bytesOf(value, what);
    if (src === null) {
      throw new UnsupportedValueError(`${what}: this channel carries bytes (Uint8Array, another ArrayBufferView, ArrayBuffer or SharedArrayBuffer), got ${describe(value)}`);
    }
    const len = src.byteLength;
    // The engine takes sizes as u32: a bigger one would wrap, so refuse it here.
    if (BLOCK_HEADER + len > 0xFFFFFFFF) throw new OutOfMemoryError(BLOCK_HEADER + len);
    const p = alloc(BLOCK_HEADER + len); // OutOfMemoryError: nothing allocated
    // Not yet published: the send that follows is the release (see the header comment).
    const V = views(); // after alloc: the memory may have grown
    V.u32[(p + B_LEN) >>> 2] = len;
    V.u32[(p + B_HANDLES) >>> 2] = 0;
    V.u8.set(src, p + BLOCK_HEADER);
    return p;
  },
  discard(slot) { engine().x.heap_free(slot); },
  decode(slot) {
    // Ours alone now (the receive took it): copy out into a fresh, unshared buffer, then free.
    const V = views();
    const len = V.u32[(slot + B_LEN) >>> 2];
    const out = V.u8.slice(slot + BLOCK_HEADER, slot + BLOCK_HEADER + len);
    engine().x.heap_free(slot);
    return out;
  },
};

const any: Payload = {
  name: "any",
  encode(value) {
    // The codec throws typed errors (UnsupportedValueError, NotSendError, OutOfMemoryError) and
    // gives back every reference it took when it does.
    const p = encodeBlock(value, BLOCK_HEADER);
    const u32 = views().u32;
    u32[(p + B_LEN) >>> 2] = lastEncoded.len;
    u32[(p + B_HANDLES) >>> 2] = lastEncoded.handles;
    return p;
  },
  discard(slot) { freeBlock(slot); },
  decode(slot) {
    // A consuming decode: the handles inside adopt the references the block carried. decodeBlock
    // frees the block once its bytes are copied out (whether or not the decoding succeeds).
    const u32 = views().u32;
    const len = u32[(slot + B_LEN) >>> 2];
    if (u32[(slot + B_HANDLES) >>> 2] === 0) return decodeBlock(slot, BLOCK_HEADER, len, null);
    const adopted: SharedHandle[] = [];
    try {
      return decodeBlock(slot, BLOCK_HEADER, len, adopted);
    } catch (err) {
      for (const h of adopted) h.drop();
      throw err;
    }
  },
};

/** The payload of channel kind code `kind` (CHAN_KIND_*). */
export function payloadFor(kind: number, L: Record<string, number>): Payload {
  switch (kind) {
    case L.CHAN_KIND_I32: return i32;
    case L.CHAN_KIND_U32: return u32;
    case L.CHAN_KIND_BYTES: return bytes;
    case L.CHAN_KIND_ANY: return any;
    default: return f64;
  }
}

/** The kind code for `of` as a user wrote it; typed errors for anything else. */
export function kindCode(of: unknown, L: Record<string, number>, what: string): number {
  switch (of) {
    case "f64": return L.CHAN_KIND_F64;
    case "i32": return L.CHAN_KIND_I32;
    case "u32": return L.CHAN_KIND_U32;
    case "bytes": return L.CHAN_KIND_BYTES;
    case "any": return L.CHAN_KIND_ANY;
    default:
      throw new InvalidArgumentError(`${what}: of must be "f64", "i32", "u32", "bytes" or "any", got ${String(of)}`);
  }
}

/**
 * Frees channel `c`, which the engine handed over when its last end was dropped
 * (chan_end_destroy): its buffered message blocks (drainBlocks), then the channel (chan_free).
 *
 * Iterative, not recursive: dropping a message may drop the last end of another channel of
 * blocks (a Receiver inside a message), which comes back here; such channels are queued and freed
 * by the outermost call on this thread, so a long chain of channels, each buffered inside the
 * previous one, is freed in constant stack depth.
 */
export function dropChannel(c: number): void {
  if (queue !== null) { queue.push(c); return; } // the loop below, further up this stack, frees it
  queue = [c];
  try {
    for (let i = 0; i < queue.length; i++) {
      drainBlocks(queue[i]);
      engine().x.chan_free(queue[i]);
    }
  } finally {
    queue = null;
  }
}
let queue: number[] | null = null;

/**
 * Frees the message blocks still buffered in channel `c` (REFS 0, handed over by
 * chan_end_destroy); the caller frees the channel next (dropChannel does both). Each message is
 * received and dropped: its handle references are given back (which may free the objects they
 * name, other channels included) and its block freed. Never throws: a message that cannot be
 * decoded (none should) loses only its handle references, and the others are still freed.
 */
export function drainBlocks(c: number): void {
  const { x } = engine();
  // REFS(c) is 0: no end and no parked operation can reach c, so this is its only receiver.
  while (x.chan_try_recv(c) === Code.SUCCESS) {
    const p = x.chan_value(); // before freeBlock: dropping handles may receive elsewhere
    try {
      freeBlock(p);
    } catch {
      engine().x.heap_free(p); // freeEncoded decodes before it frees: the block is still ours
    }
  }
}
