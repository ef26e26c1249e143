// ABI exports for the codec's shared record structures (ts/codec.ts).
//
// msgpackr encodes an object as a record: a small id naming its key list (its "structure"), then
// the values. Structures shared by every thread of the engine are written as the id alone, so
// every thread must agree on them: they live in the engine header, in CODEC_AREA (layout.ts),
//
//   header word 76  CODEC_LOCK   raw lock: whoever reads or writes the fields below holds it
//               80  CODEC_COUNT  number of structures in the area (append-only: an id, once
//                                given, names the same key list for the life of the engine)
//               84  CODEC_BYTES  byte length of their encoding
//   CODEC_AREA      +0 .. CODEC_BYTES: UTF-8 JSON of string[][], written by the host
//
// The host does the reading and writing (JSON is a host thing); the engine only provides the
// lock, a raw lock because the critical sections are a copy of at most CODEC_AREA_SIZE bytes
// and never block on anything else. Publication protocol (who may append what) is in
// ts/codec.ts: a writer appends only when CODEC_COUNT still equals the count it built on, else
// it reloads the structures and encodes again (msgpackr's saveStructures / isCompatible).
import { rawLock, rawUnlock } from "../sync/rawlock";
import { H_CODEC_LOCK } from "../layout";

/** Takes CODEC_LOCK (spins, then sleeps where this thread may block). */
export function codec_lock(): void { rawLock(H_CODEC_LOCK); }

/** Releases CODEC_LOCK (waking one sleeper if any). */
export function codec_unlock(): void { rawUnlock(H_CODEC_LOCK); }
