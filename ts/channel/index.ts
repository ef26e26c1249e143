// Channels (crossbeam-channel; std::sync::mpsc aliases). First increment: bounded channels of
// numbers (the array flavor). Unbounded, rendezvous, bytes/any payloads and select come later.
//
//   const [tx, rx] = weft.bounded(16, { of: "i32" });
//   weft.spawn([tx], (tx) => { for (let i = 0; i < 4; i++) tx.send(i); });   // tx moves away
//   tx.close();  for (const v of rx) …                                       // ends on disconnection
import { engine } from "../engine";
import { genOf, adopt, releaseRef } from "../handle";
import { InvalidArgumentError, OutOfMemoryError, UnsupportedValueError } from "../errors";
import { Sender, Receiver, NumericKind } from "./ends";

export { Sender, Receiver } from "./ends";
export type { NumericKind } from "./ends";

export interface ChannelOptions {
  /** Payload kind: "f64" (default, any number), "i32" or "u32" (integers in range). */
  of?: NumericKind;
}

/** A bounded MPMC channel of capacity `cap` (an integer in [1, 2^24]): [Sender, Receiver]. */
export function bounded<T extends number = number>(cap: number, opts: ChannelOptions = {}): [Sender<T>, Receiver<T>] {
  const { x, L } = engine();
  const kind = kindCode(opts?.of ?? "f64", L);
  if (cap === 0) {
    throw new InvalidArgumentError("bounded(0): rendezvous channels (capacity 0) are not implemented yet; use a capacity >= 1");
  }
  if (typeof cap !== "number" || !Number.isInteger(cap) || cap < 1 || cap > L.ARRAY_MAX_CAP) {
    throw new InvalidArgumentError(`bounded: capacity must be an integer in [1, ${L.ARRAY_MAX_CAP}], got ${String(cap)}`);
  }
  const c = x.chan_new(L.FLAVOR_ARRAY, kind, cap);
  if (c === 0) throw new OutOfMemoryError(L.A_SLOTS + cap * 16);
  // The channel's own reference (REFS 1) is ours until both ends took theirs.
  try {
    const s = x.chan_sender_new(c);
    if (s === 0) throw new OutOfMemoryError(L.CHAN_END_SIZE);
    const r = x.chan_receiver_new(c);
    if (r === 0) { x.chan_end_release(s); throw new OutOfMemoryError(L.CHAN_END_SIZE); }
    const tx = adopt({ ptr: s, gen: genOf(s) }, () => new Sender<T>());
    const rx = adopt({ ptr: r, gen: genOf(r) }, () => new Receiver<T>());
    return [tx, rx];
  } finally {
    releaseRef(c);
  }
}

function kindCode(of: unknown, L: Record<string, number>): number {
  switch (of) {
    case "f64": return L.CHAN_KIND_F64;
    case "i32": return L.CHAN_KIND_I32;
    case "u32": return L.CHAN_KIND_U32;
    case "bytes": case "any":
      throw new UnsupportedValueError(`bounded: payload kind "${of}" is not implemented yet (numeric kinds only: "f64", "i32", "u32")`);
    default:
      throw new InvalidArgumentError(`bounded: of must be "f64", "i32" or "u32", got ${String(of)}`);
  }
}

/** std::sync::mpsc names. `channel()` (unbounded) arrives with the list flavor. */
export const mpsc = {
  /** Rust's sync_channel(n): a bounded channel (n = 0, rendezvous, is not implemented yet). */
  syncChannel<T extends number = number>(n: number, opts: ChannelOptions = {}): [Sender<T>, Receiver<T>] {
    return bounded<T>(n, opts);
  },
};
