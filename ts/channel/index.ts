// Channels (crossbeam-channel; std::sync::mpsc aliases): bounded (array flavor), unbounded (list
// flavor) and rendezvous (zero flavor) MPMC channels, over assembly/channel/.
//
//   const [tx, rx] = weft.bounded(16, { of: "i32" });
//   weft.spawn([tx], (tx) => { for (let i = 0; i < 4; i++) tx.send(i); });   // tx is shared
//   tx.close();  for (const v of rx) …                                       // ends on disconnection
import { engine } from "../engine";
import { genOf, adopt, releaseRef } from "../handle";
import { InvalidArgumentError, OutOfMemoryError } from "../errors";
import { Sender, Receiver } from "./ends";
import { PayloadKind, kindCode } from "./payload";

export { Sender, Receiver } from "./ends";
export type { PayloadKind } from "./payload";
export type { NumericArray, NumericInput, BatchOptions } from "./batch";

export interface ChannelOptions {
  /** Payload kind: "f64" (default, any number), "i32" or "u32" (integers in range). */
  of?: PayloadKind;
}

/** A bounded MPMC channel of capacity `cap` (an integer in [1, 2^24]): [Sender, Receiver]. */
export function bounded<T = number>(cap: number, opts: ChannelOptions = {}): [Sender<T>, Receiver<T>] {
  const { L } = engine();
  const kind = kindCode(opts?.of ?? "f64", L, "bounded");
  if (cap === 0) {
    throw new InvalidArgumentError("bounded(0): rendezvous channels (capacity 0) are not implemented yet; use a capacity >= 1");
  }
  if (typeof cap !== "number" || !Number.isInteger(cap) || cap < 1 || cap > L.ARRAY_MAX_CAP) {
    throw new InvalidArgumentError(`bounded: capacity must be an integer in [1, ${L.ARRAY_MAX_CAP}], got ${String(cap)}`);
  }
  return makeChannel<T>(L.FLAVOR_ARRAY, kind, cap, L.A_SLOTS + cap * 16);
}

/** A channel of `flavor` with its two ends; `bytes` is the size reported if memory runs out. */
function makeChannel<T>(flavor: number, kind: number, cap: number, bytes: number): [Sender<T>, Receiver<T>] {
  const { x, L } = engine();
  const c = x.chan_new(flavor, kind, cap);
  if (c === 0) throw new OutOfMemoryError(bytes);
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

/** std::sync::mpsc names. `channel()` (unbounded) arrives with the list flavor. */
export const mpsc = {
  /** Rust's sync_channel(n): a bounded channel (n = 0, rendezvous, is not implemented yet). */
  syncChannel<T = number>(n: number, opts: ChannelOptions = {}): [Sender<T>, Receiver<T>] {
    return bounded<T>(n, opts);
  },
};
