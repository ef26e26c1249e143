// Payloads: how a message becomes the one f64 a channel slot holds, and back.
//
//   "f64" | "i32" | "u32"   the number itself (checked against the kind's range)
//   "bytes" | "any"         the pointer of a message block in the shared heap (not implemented yet)
//
// A Payload is chosen once per channel end (by the channel's kind code); the send paths call
// encode → (try the send) → discard on failure, the receive paths decode what they took.
import { InvalidArgumentError, UnsupportedValueError } from "../errors";

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

/** The payload of channel kind code `kind` (CHAN_KIND_*). */
export function payloadFor(kind: number, L: Record<string, number>): Payload {
  switch (kind) {
    case L.CHAN_KIND_I32: return i32;
    case L.CHAN_KIND_U32: return u32;
    default: return f64;
  }
}

/** The kind code for `of` as a user wrote it; typed errors for anything else. */
export function kindCode(of: unknown, L: Record<string, number>, what: string): number {
  switch (of) {
    case "f64": return L.CHAN_KIND_F64;
    case "i32": return L.CHAN_KIND_I32;
    case "u32": return L.CHAN_KIND_U32;
    case "bytes": case "any":
      throw new UnsupportedValueError(`${what}: payload kind "${of}" is not implemented yet (numeric kinds only: "f64", "i32", "u32")`);
    default:
      throw new InvalidArgumentError(`${what}: of must be "f64", "i32", "u32", "bytes" or "any", got ${String(of)}`);
  }
}

/**
 * Frees the message blocks still buffered in channel `c`, which the engine handed over when its
 * last end was dropped (chan_end_destroy); the caller frees the channel next.
 */
export function drainBlocks(c: number): void {
  void c; // no block kinds yet: chan_end_destroy never hands a channel over
}
