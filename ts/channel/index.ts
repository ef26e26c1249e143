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
export { select, selectAsync, recv, send, Select } from "./select";
export type { SelectOperation, Selected, SelectOptions } from "./select";
export type { PayloadKind } from "./payload";
export type { NumericArray, NumericInput, BatchOptions } from "./batch";

export interface ChannelOptions {
  /**
   * Payload kind: what one message is.
   *  - "f64" (default): any number; "i32" / "u32": integers in that range.
   *  - "bytes": Uint8Array, any other ArrayBufferView, ArrayBuffer or SharedArrayBuffer; the bytes
   *    are copied into the shared heap and received as a fresh Uint8Array.
   *  - "any": structured values (as for spawn arguments and Mutex values): objects, arrays,
   *    strings, Map, Set, Date, bigint, typed arrays, and weft handles, which arrive usable on the
   *    receiving thread, each with a reference of its own.
   */
  of?: PayloadKind;
}

/**
 * A bounded MPMC channel of capacity `cap` (an integer in [0, 2^24]): [Sender, Receiver].
 * Capacity 0 is a rendezvous channel: a send completes only when a receiver takes the message.
 * The message type follows `of` unless given: `bounded(4, { of: "bytes" })` carries Uint8Array,
 * `bounded<Job>(4, { of: "any" })` carries Job (unknown when not given), numbers otherwise.
 */
export function bounded<T = Uint8Array>(cap: number, opts: ChannelOptions & { of: "bytes" }): [Sender<T>, Receiver<T>];
export function bounded<T = unknown>(cap: number, opts: ChannelOptions & { of: "any" }): [Sender<T>, Receiver<T>];
export function bounded<T = number>(cap: number, opts?: ChannelOptions): [Sender<T>, Receiver<T>];
export function bounded<T = number>(cap: number, opts: ChannelOptions = {}): [Sender<T>, Receiver<T>] {
  const { L } = engine();
  const kind = kindCode(opts?.of ?? "f64", L, "bounded");
  if (cap === 0) return makeChannel<T>(L.FLAVOR_ZERO, kind, 0, L.ZERO_CHAN_SIZE); // rendezvous
  if (typeof cap !== "number" || !Number.isInteger(cap) || cap < 1 || cap > L.ARRAY_MAX_CAP) {
    throw new InvalidArgumentError(`bounded: capacity must be an integer in [0, ${L.ARRAY_MAX_CAP}], got ${String(cap)}`);
  }
  return makeChannel<T>(L.FLAVOR_ARRAY, kind, cap, L.A_SLOTS + cap * 16);
}

/**
 * An unbounded MPMC channel (list flavor): sends never block; each block of 31 messages is
 * allocated from the shared heap on demand and freed once received. [Sender, Receiver].
 */
export function unbounded<T = Uint8Array>(opts: ChannelOptions & { of: "bytes" }): [Sender<T>, Receiver<T>];
export function unbounded<T = unknown>(opts: ChannelOptions & { of: "any" }): [Sender<T>, Receiver<T>];
export function unbounded<T = number>(opts?: ChannelOptions): [Sender<T>, Receiver<T>];
export function unbounded<T = number>(opts: ChannelOptions = {}): [Sender<T>, Receiver<T>] {
  const { L } = engine();
  const kind = kindCode(opts?.of ?? "f64", L, "unbounded");
  return makeChannel<T>(L.FLAVOR_LIST, kind, 0, L.L_SIZE + L.L_BLOCK_SIZE);
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

/** std::sync::mpsc names. */
export const mpsc = {
  /** Rust's channel(): an unbounded channel (weft.unbounded). */
  channel<T = number>(opts: ChannelOptions = {}): [Sender<T>, Receiver<T>] {
    return unbounded<T>(opts);
  },
  /** Rust's sync_channel(n): a bounded channel (n = 0: a rendezvous channel). */
  syncChannel<T = number>(n: number, opts: ChannelOptions = {}): [Sender<T>, Receiver<T>] {
    return bounded<T>(n, opts);
  },
};
