// Select: wait for the first of several channel operations (crossbeam-channel's select.rs).
//
// The host passes an operation table in the heap, n rows of 16 bytes:
//    0        4       8
//    +--------+-------+-----------+
//    | CHAN   | KIND  | VALUE f64 |     KIND: OP_RECV or OP_SEND; VALUE: the message of a send
//    +--------+-------+-----------+
// The channels must stay alive for the whole call (the host holds a reference to each end).
//
// The algorithm (run_select in crossbeam):
//   1. Try every operation once, starting at a random index (so no operation is favoured when
//      several are ready). One completed (SUCCESS, or DISCONNECTED: a disconnected operation is
//      ready and completes with an error) -> done. With `default`, none ready -> WOULD_BLOCK.
//   2. Register: a context (context.ts) with one entry per operation, each linked into its
//      channel's list (array/list: the waker block of that direction, selectors.ts; zero: the
//      channel's waiting senders/receivers, zero.ts). After linking, check whether the operation
//      is ready *without* performing it; if one is, abort the context (step 4 then loops).
//      Checking instead of performing matters: a peer may select us meanwhile, and on a zero
//      channel being selected *is* completing that operation — we must not complete two.
//   3. Sleep on the context's SELECT word until a peer decides or the deadline passes (abort).
//   4. Unregister every entry (taking each list's lock: afterwards no peer touches the context).
//      SELECT = operation k on a zero channel: k completed (the message was exchanged under the
//      channel's lock). Operation k on an array/list channel: try k (a newcomer may have taken the
//      progress first: loop). ABORTED / DISCONNECTED: loop to step 1.
// No lost wake-up: see selectors.ts (register, then check, then sleep, against progress, then
// SEL_COUNT read, all SeqCst). A select woken for operation k always tries k before anything
// else, so the wake-up it consumed is never dropped while the message sits there.
import { now } from "../engine/clock";
import { AGENT } from "../engine/local";
import { spin } from "../sync/futex";
import { C_SEND, C_RECV, C_CAP, FLAVOR_ZERO, FLAVOR_LIST } from "./layout";
import { chanFlavor, chanTryRecv, chanTrySend, chanLen, chanIsDisconnected } from "./index";
import { selRegister, selUnregister } from "./selectors";
import { zeroRegister, zeroUnregister, zeroReady } from "./zero";
import {
  ctxNew, ctxFree, ctxEntry, ctxWait, ctxState, trySelect, E_VALUE, E_FLAGS, E_WATCH, E_ASYNC, SEL_ABORTED,
  SEL_OPERATION,
} from "./context";
import { store32 } from "../sync/atomic";
import { SUCCESS, DISCONNECTED, TIMEOUT, WOULD_BLOCK, OUT_OF_MEMORY, EMPTY, FULL } from "../layout";

export const OP_CHAN: usize = 0;
export const OP_KIND: usize = 4;
export const OP_VALUE: usize = 8;
export const OP_SIZE: usize = 16;
export const OP_RECV: u32 = 0;
export const OP_SEND: u32 = 1;

// Thread-locals (wasm globals are per instance): read by the host right after the call that set
// them, before anything else can run on this thread.
/** Index of the operation the last select call on this thread completed. */
let selIndex: i32 = -1;
/** xorshift32 state for the random start of step 1 (seeded on first use). */
let rng: u32 = 0;

export function selectIndex(): i32 { return selIndex; }

// The table is written by the host before the call and only read here: plain loads.
// @ts-ignore: decorator
@inline function opChan(ops: usize, k: u32): usize { return <usize>load<u32>(ops + <usize>k * OP_SIZE + OP_CHAN); }
// @ts-ignore: decorator
@inline function opIsSend(ops: usize, k: u32): bool { return load<u32>(ops + <usize>k * OP_SIZE + OP_KIND) == OP_SEND; }
// @ts-ignore: decorator
@inline function opValue(ops: usize, k: u32): f64 { return load<f64>(ops + <usize>k * OP_SIZE + OP_VALUE); }

/** A random index in [0, n). */
export function randomStart(n: u32): u32 {
  let x = rng;
  if (x == 0) x = (AGENT * 0x9E3779B9) ^ <u32>(<u64>(now() * 1000.0)) | 1;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  rng = x;
  return x % n;
}

/** Tries operation k once: SUCCESS, DISCONNECTED (both complete it), WOULD_BLOCK, or an error code. */
function tryOp(ops: usize, k: u32): i32 {
  const c = opChan(ops, k);
  const r = opIsSend(ops, k) ? chanTrySend(c, opValue(ops, k)) : chanTryRecv(c);
  return r == FULL || r == EMPTY ? WOULD_BLOCK : r;
}

/** Step 1: every operation once from `start`. Sets selIndex when one completes. */
export function selectTry(ops: usize, n: u32, start: u32): i32 {
  for (let i: u32 = 0; i < n; i++) {
    const k = (start + i) % n;
    const r = tryOp(ops, k);
    if (r != WOULD_BLOCK) { selIndex = <i32>k; return r; }
  }
  return WOULD_BLOCK;
}

/** Whether operation k would complete now (a message, a free slot, a peer, or disconnection). */
export function opReady(ops: usize, k: u32): bool {
  const c = opChan(ops, k);
  const f = chanFlavor(c);
  const send = opIsSend(ops, k);
  if (f == FLAVOR_ZERO) return zeroReady(c, send);
  if (chanIsDisconnected(c)) return true;
  if (!send) return chanLen(c) > 0;
  return f == FLAVOR_LIST || chanLen(c) < load<u32>(c + C_CAP); // CAP: fixed before publication
}

/** Links entry k of `ctx` into its channel; returns whether operation k is ready now. */
function registerOp(ops: usize, k: u32, ctx: usize): bool {
  const c = opChan(ops, k);
  const send = opIsSend(ops, k);
  const e = ctxEntry(ctx, k);
  if (chanFlavor(c) == FLAVOR_ZERO) return zeroRegister(c, send, e, ctx);
  selRegister(c + (send ? C_SEND : C_RECV), e);
  return opReady(ops, k);
}

/**
 * Step 2: a context with every operation registered (0: out of memory). If one is ready already,
 * the context is aborted, so the caller does not sleep (its SELECT word is not 0). `isAsync`: the
 * host's selectAsync, which waits on its event loop (entries flagged E_ASYNC).
 */
export function selectRegister(ops: usize, n: u32, isAsync: bool = false): usize {
  const ctx = ctxNew(n);
  if (ctx == 0) return 0;
  for (let k: u32 = 0; k < n; k++) {
    if (opIsSend(ops, k)) store<f64>(ctxEntry(ctx, k) + E_VALUE, opValue(ops, k)); // not yet shared
    if (isAsync) store32(ctxEntry(ctx, k) + E_FLAGS, E_ASYNC); // not yet shared
  }
  // Link from a random start, as step 1 tries (crossbeam shuffles the operations): a peer takes
  // the first waiting entry of a list, so a fixed order would always favour the lowest index
  // among operations on one channel (Go's TestPseudoRandomSend; tests/channel-go.test.ts).
  const start = randomStart(n);
  for (let i: u32 = 0; i < n; i++) {
    const k = (start + i) % n;
    if (registerOp(ops, k, ctx)) { trySelect(ctx, SEL_ABORTED); break; } // the rest stay unlinked
  }
  return ctx;
}

/**
 * Step 4, after SELECT left 0 or the deadline passed: unregisters everything, frees the context,
 * and completes the selected operation if there is one. SUCCESS / DISCONNECTED (selIndex set, a
 * received value in received.ts), WOULD_BLOCK (go round again), or an error code.
 */
export function selectFinish(ctx: usize, ops: usize, n: u32): i32 {
  trySelect(ctx, SEL_ABORTED); // the deadline passed (or nobody decided yet): a peer's decision wins
  const s = ctxState(ctx);
  const sel: u32 = s >= SEL_OPERATION ? <u32>(s - SEL_OPERATION) : n;
  for (let k: u32 = 0; k < n; k++) {
    const c = opChan(ops, k);
    const send = opIsSend(ops, k);
    const e = ctxEntry(ctx, k);
    if (chanFlavor(c) == FLAVOR_ZERO) zeroUnregister(c, send, e, k == sel);
    else selUnregister(c + (send ? C_SEND : C_RECV), e);
  }
  ctxFree(ctx);
  if (sel == n) return WOULD_BLOCK;
  selIndex = <i32>sel;
  if (chanFlavor(opChan(ops, sel)) == FLAVOR_ZERO) return SUCCESS; // exchanged by the peer
  return tryOp(ops, sel); // progress there: take it, unless a newcomer did (WOULD_BLOCK)
}

/**
 * A whole blocking select until `deadline`: SUCCESS / DISCONNECTED (selIndex, received value),
 * TIMEOUT, WOULD_BLOCK (`dflt` and nothing ready), OUT_OF_MEMORY or another error code.
 */
export function selectRun(ops: usize, n: u32, deadline: f64, dflt: bool): i32 {
  let r = selectTry(ops, n, randomStart(n));
  if (r != WOULD_BLOCK || dflt) return r;
  return selectRunCold(ops, n, deadline);
}

function selectRunCold(ops: usize, n: u32, deadline: f64): i32 {
  for (let round = 0; spin(round); round++) { // a peer is often about to make progress
    const r = selectTry(ops, n, randomStart(n));
    if (r != WOULD_BLOCK) return r;
  }
  for (;;) {
    if (deadline != Infinity && now() >= deadline) return TIMEOUT;
    const ctx = selectRegister(ops, n);
    if (ctx == 0) return OUT_OF_MEMORY;
    ctxWait(ctx, deadline);
    let r = selectFinish(ctx, ops, n);
    if (r != WOULD_BLOCK) return r;
    r = selectTry(ops, n, randomStart(n));
    if (r != WOULD_BLOCK) return r;
  }
  return TIMEOUT; // not reached
}

// ---- ready: which operation could complete, without completing it (crossbeam's Select::ready) --
// The same loop as select with watcher entries (context.ts E_WATCH): a peer's progress wakes
// every watcher and never pairs with one, so a watcher takes nothing and swallows no wake-up.
// The answer is a hint, as in crossbeam: by the time the caller acts, another thread may have
// taken the message.

/** Index of an operation ready now, from `start`, or -1. */
export function readyTry(ops: usize, n: u32, start: u32): i32 {
  for (let i: u32 = 0; i < n; i++) {
    const k = (start + i) % n;
    if (opReady(ops, k)) return <i32>k;
  }
  return -1;
}

/** As selectRegister, with watchers: 0 when out of memory. */
export function readyRegister(ops: usize, n: u32): usize {
  const ctx = ctxNew(n);
  if (ctx == 0) return 0;
  for (let k: u32 = 0; k < n; k++) store32(ctxEntry(ctx, k) + E_FLAGS, E_WATCH); // not yet shared
  for (let k: u32 = 0; k < n; k++) {
    if (registerOp(ops, k, ctx)) { trySelect(ctx, SEL_ABORTED); break; }
  }
  return ctx;
}

/** Unregisters and frees a ready context: the operation a peer woke it for, or -1 (look again). */
export function readyFinish(ctx: usize, ops: usize, n: u32): i32 {
  trySelect(ctx, SEL_ABORTED);
  const s = ctxState(ctx);
  for (let k: u32 = 0; k < n; k++) {
    const c = opChan(ops, k);
    const send = opIsSend(ops, k);
    const e = ctxEntry(ctx, k);
    if (chanFlavor(c) == FLAVOR_ZERO) zeroUnregister(c, send, e, false);
    else selUnregister(c + (send ? C_SEND : C_RECV), e);
  }
  ctxFree(ctx);
  return s >= SEL_OPERATION ? s - SEL_OPERATION : -1;
}

/** Blocking ready until `deadline`: SUCCESS (the index in selIndex), TIMEOUT or OUT_OF_MEMORY. */
export function readyRun(ops: usize, n: u32, deadline: f64): i32 {
  for (;;) {
    let k = readyTry(ops, n, randomStart(n));
    if (k < 0) {
      if (deadline != Infinity && now() >= deadline) return TIMEOUT;
      const ctx = readyRegister(ops, n);
      if (ctx == 0) return OUT_OF_MEMORY;
      ctxWait(ctx, deadline);
      k = readyFinish(ctx, ops, n);
    }
    if (k >= 0) { selIndex = k; return SUCCESS; }
  }
  return TIMEOUT; // not reached
}
