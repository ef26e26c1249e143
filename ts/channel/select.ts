// Select: wait for the first of several channel operations (crossbeam-channel's select! and
// Select), over assembly/channel/select.ts.
//
//   const r = weft.select([weft.recv(rx1), weft.recv(rx2), weft.send(tx, 7)], { timeout: 100 });
//   if (r.index === 0 && !r.disconnected) use(r.value);
//
// Exactly one operation completes: the one whose index is returned. Send values are encoded
// through the sender's payload once per call; those of operations that did not complete are
// discarded (nothing is sent twice, nothing leaks). A disconnected operation counts as ready and
// completes with `disconnected: true`, as crossbeam hands `Err(RecvError)` / `Err(SendError(v))`
// to the arm.
import { engine, views, alloc, Engine } from "../engine";
import { releaseRef } from "../handle";
import {
  Code, fromCode, checkTimeout, InvalidArgumentError, MainThreadBlockError, OutOfMemoryError,
  SelectTimeoutError,
} from "../errors";
import { awaitSelected } from "./park";
import { Sender, Receiver } from "./ends";

/** One operation of a select: made by `weft.recv(rx)` or `weft.send(tx, value)`. */
export class SelectOperation<T = any> {
  /** @internal use weft.recv / weft.send */
  constructor(
    readonly kind: "recv" | "send",
    readonly end: Sender<T> | Receiver<T>,
    readonly value: T | undefined,
  ) {
    Object.freeze(this);
  }
}

/**
 * What a select completed.
 * - `index`: the position of the completed operation in the list (or builder), or -1 when
 *   `default` was given and nothing became ready (in time).
 * - `value`: a completed receive's message; for a send that failed because every receiver is
 *   gone, the message handed back (crossbeam's `SendError(v)`). Absent otherwise.
 * - `disconnected`: the operation completed because its channel is disconnected (a receive: the
 *   channel is empty and every sender is gone; a send: every receiver is gone).
 */
export interface Selected<T = any> {
  readonly index: number;
  readonly value?: T;
  readonly disconnected: boolean;
}

/**
 * - `timeout` (ms): give up after this long: throws SelectTimeoutError, or with `default`
 *   returns `{ index: -1 }` (crossbeam's `default(timeout)` arm).
 * - `default: true` without a timeout: never wait; `{ index: -1 }` if nothing is ready now.
 */
export interface SelectOptions {
  timeout?: number;
  default?: boolean;
}

/** A receive operation for select. */
export function recv<T>(rx: Receiver<T>): SelectOperation<T> {
  if (!(rx instanceof Receiver)) throw new InvalidArgumentError(`weft.recv: expects a Receiver, got ${describe(rx)}`);
  return new SelectOperation<T>("recv", rx, undefined);
}

/** A send operation for select; `value` is sent only if this operation is the one selected. */
export function send<T>(tx: Sender<T>, value: T): SelectOperation<T> {
  if (!(tx instanceof Sender)) throw new InvalidArgumentError(`weft.send: expects a Sender, got ${describe(tx)}`);
  return new SelectOperation<T>("send", tx, value);
}

function describe(v: unknown): string {
  return v === null ? "null" : typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v;
}

/**
 * Blocks until one operation completes and returns it (see Selected, SelectOptions). Throws
 * SelectTimeoutError on timeout, MainThreadBlockError where this thread may not block (use
 * selectAsync), InvalidArgumentError for an empty list or a non-operation, DroppedError for an
 * operation on a closed handle.
 */
export function select<T = any>(ops: readonly SelectOperation<T>[], opts: SelectOptions = {}): Selected<T> {
  return runSync(ops, opts, "weft.select");
}

/** select() that never blocks the thread: resolves with the completed operation. */
export async function selectAsync<T = any>(ops: readonly SelectOperation<T>[], opts: SelectOptions = {}): Promise<Selected<T>> {
  return runAsync(ops, opts, "weft.selectAsync");
}

// ---- the shared machinery ----------------------------------------------------------------------

interface Options { timeout: number; dflt: boolean; wait: boolean }

function options(opts: SelectOptions, what: string): Options {
  if (opts === null || typeof opts !== "object") throw new InvalidArgumentError(`${what}: options must be an object, got ${describe(opts)}`);
  const d = opts.default ?? false;
  if (typeof d !== "boolean") throw new InvalidArgumentError(`${what}: default must be a boolean, got ${describe(d)}`);
  const timeout = checkTimeout(opts.timeout ?? (d ? 0 : Infinity), what);
  return { timeout, dflt: d, wait: timeout > 0 };
}

/** The operation table in the heap, and the encoded send values. */
interface Prepared<T> {
  e: Engine;
  ops: readonly SelectOperation<T>[];
  table: number;
  slots: number[];
}

/** The table for `ops`; send values are encoded unless `encode` is false (ready: nothing is sent). */
function prepare<T>(ops: readonly SelectOperation<T>[], what: string, encode = true): Prepared<T> {
  if (!Array.isArray(ops) || ops.length === 0) {
    throw new InvalidArgumentError(`${what}: expects a non-empty array of operations (weft.recv(rx), weft.send(tx, v))`);
  }
  const e = engine();
  const { L } = e;
  const chans: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (!(op instanceof SelectOperation)) {
      throw new InvalidArgumentError(`${what}: operation ${i} is not weft.recv(rx) or weft.send(tx, v), got ${describe(op)}`);
    }
    chans.push(op.end.selectChan); // DroppedError for a closed handle, before anything is encoded
  }
  const slots: number[] = [];
  try {
    for (const op of ops) slots.push(op.kind === "send" && encode ? op.end.selectPayload.encode(op.value, what) : 0);
  } catch (err) {
    discard(ops, slots, -1);
    throw err;
  }
  let table: number;
  try {
    table = alloc(ops.length * L.OP_SIZE);
  } catch (err) {
    discard(ops, slots, -1);
    throw err;
  }
  const { u32, f64 } = views();
  for (let i = 0; i < ops.length; i++) {
    const row = table + i * L.OP_SIZE;
    u32[(row + L.OP_CHAN) >>> 2] = chans[i];
    u32[(row + L.OP_KIND) >>> 2] = ops[i].kind === "send" ? L.OP_SEND : L.OP_RECV;
    f64[(row + L.OP_VALUE) >>> 3] = slots[i]; // rows are 8-aligned (heap blocks are)
  }
  return { e, ops, table, slots: encode ? slots : [] };
}

/** Gives back the encoded values of every send except operation `kept` (the one delivered). */
function discard<T>(ops: readonly SelectOperation<T>[], slots: number[], kept: number): void {
  for (let i = 0; i < slots.length; i++) {
    if (i !== kept && ops[i].kind === "send") ops[i].end.selectPayload.discard(slots[i]);
  }
}

/** Turns the engine's answer into a Selected (or a typed error); frees the table. */
function outcome<T>(p: Prepared<T>, code: number, index: number, slot: number, o: Options, what: string): Selected<T> {
  p.e.x.heap_free(p.table);
  const { ops } = p;
  if (code === Code.SUCCESS) {
    const op = ops[index];
    discard(ops, p.slots, op.kind === "send" ? index : -1);
    if (op.kind === "send") return { index, disconnected: false };
    return { index, value: op.end.selectPayload.decode(slot) as T, disconnected: false };
  }
  discard(ops, p.slots, -1);
  if (code === Code.DISCONNECTED) {
    const op = ops[index];
    return op.kind === "send" ? { index, value: op.value, disconnected: true } : { index, disconnected: true };
  }
  if (code === Code.WOULD_BLOCK || code === Code.TIMEOUT) {
    if (o.dflt) return { index: -1, disconnected: false };
    throw new SelectTimeoutError(what, o.timeout);
  }
  if (code === Code.OUT_OF_MEMORY) throw new OutOfMemoryError(p.e.L.X_ENTRIES + ops.length * p.e.L.ENTRY_SIZE);
  throw fromCode(code, what);
}

function runSync<T>(ops: readonly SelectOperation<T>[], opts: SelectOptions, what: string): Selected<T> {
  const o = options(opts, what);
  const p = prepare(ops, what);
  const { x } = p.e;
  const n = ops.length;
  let code: number;
  try {
    code = x.select_run(p.table, n, 0, 1); // one pass over every operation
    if (code === Code.WOULD_BLOCK && o.wait) {
      if (!p.e.canBlock) throw new MainThreadBlockError(what, "weft.selectAsync()");
      code = x.select_run(p.table, n, o.timeout, 0);
    }
  } catch (err) {
    x.heap_free(p.table);
    discard(ops, p.slots, -1);
    throw err;
  }
  const done = code === Code.SUCCESS || code === Code.DISCONNECTED;
  return outcome(p, code, done ? x.select_index() : -1, done ? x.chan_value() : 0, o, what);
}

async function runAsync<T>(ops: readonly SelectOperation<T>[], opts: SelectOptions, what: string): Promise<Selected<T>> {
  const o = options(opts, what);
  const p = prepare(ops, what);
  const { x, L } = p.e;
  const n = ops.length;
  // Our own reference to every end while parked: dropping a handle meanwhile does not
  // disconnect or free a channel our entries are linked into.
  const held: number[] = [];
  let code = Code.WOULD_BLOCK;
  let index = -1;
  let slot = 0;
  try {
    for (const op of ops) {
      const end = op.end.ptr;
      if (x.chan_end_retain(end) !== Code.SUCCESS) throw fromCode(Code.INVALID_HANDLE, what);
      held.push(end);
    }
    const deadline = performance.now() + o.timeout;
    const take = (r: number): number => {
      // select_index / chan_value belong to this thread's last call: read them right away.
      if (r === Code.SUCCESS || r === Code.DISCONNECTED) { index = x.select_index(); slot = x.chan_value(); }
      return r;
    };
    for (;;) {
      code = take(x.select_try(p.table, n, x.select_random(n)));
      if (code !== Code.WOULD_BLOCK || !o.wait) break;
      if (deadline - performance.now() <= 0) { code = Code.TIMEOUT; break; }
      const ctx = x.select_register(p.table, n);
      if (ctx === 0) { code = Code.OUT_OF_MEMORY; break; }
      try {
        await awaitSelected(ctx, L.X_SELECT, L.SEL_WAITING, deadline);
      } finally {
        code = take(x.select_finish(ctx, p.table, n)); // unregisters everything, frees ctx
      }
      if (code !== Code.WOULD_BLOCK) break;
    }
  } catch (err) {
    x.heap_free(p.table);
    discard(ops, p.slots, -1);
    throw err;
  } finally {
    for (const end of held) releaseRef(end);
  }
  return outcome(p, code, index, slot, o, what);
}

// ---- ready: an operation that could complete now, not performed (crossbeam's Select::ready) ----

function readySync<T>(ops: readonly SelectOperation<T>[], timeout: number, what: string): number {
  const ms = checkTimeout(timeout, what);
  const p = prepare(ops, what, false);
  const { x } = p.e;
  const n = ops.length;
  try {
    let k = x.select_ready_try(p.table, n, x.select_random(n));
    if (k >= 0 || ms === 0) return k;
    if (!p.e.canBlock) throw new MainThreadBlockError(what, "Select.readyAsync()");
    const code = x.select_ready_run(p.table, n, ms);
    if (code === Code.SUCCESS) return x.select_index();
    if (code === Code.TIMEOUT) return -1;
    throw code === Code.OUT_OF_MEMORY ? new OutOfMemoryError(p.e.L.X_ENTRIES + n * p.e.L.ENTRY_SIZE) : fromCode(code, what);
  } finally {
    x.heap_free(p.table);
  }
}

async function readyAsync<T>(ops: readonly SelectOperation<T>[], timeout: number, what: string): Promise<number> {
  const ms = checkTimeout(timeout, what);
  const p = prepare(ops, what, false);
  const { x, L } = p.e;
  const n = ops.length;
  const held: number[] = [];
  try {
    for (const op of ops) {
      const end = op.end.ptr;
      if (x.chan_end_retain(end) !== Code.SUCCESS) throw fromCode(Code.INVALID_HANDLE, what);
      held.push(end);
    }
    const deadline = performance.now() + ms;
    for (;;) {
      let k = x.select_ready_try(p.table, n, x.select_random(n));
      if (k >= 0) return k;
      if (deadline - performance.now() <= 0) return -1;
      const ctx = x.select_ready_register(p.table, n);
      if (ctx === 0) throw new OutOfMemoryError(L.X_ENTRIES + n * L.ENTRY_SIZE);
      try {
        await awaitSelected(ctx, L.X_SELECT, L.SEL_WAITING, deadline);
      } finally {
        k = x.select_ready_finish(ctx, p.table, n); // unregisters everything, frees ctx
      }
      if (k >= 0) return k;
    }
  } finally {
    for (const end of held) releaseRef(end);
    x.heap_free(p.table);
  }
}

// ---- the builder (crossbeam's Select) ------------------------------------------------------------

/**
 * Builds a select operation by operation: `recv(rx)` / `send(tx, v)` return the operation's
 * index, then one of the select or ready methods waits. A builder can be used again.
 */
export class Select<T = any> {
  readonly #ops: SelectOperation<T>[] = [];

  /** Adds a receive; returns its index. */
  recv(rx: Receiver<T>): number { this.#ops.push(recv(rx)); return this.#ops.length - 1; }
  /** Adds a send of `value`; returns its index. */
  send(tx: Sender<T>, value: T): number { this.#ops.push(send(tx, value)); return this.#ops.length - 1; }

  /** Blocks until one operation completes. */
  select(): Selected<T> { return runSync(this.#ops, {}, "Select.select"); }
  /** Completes an operation that is ready now, or returns `{ index: -1 }`. */
  trySelect(): Selected<T> { return runSync(this.#ops, { default: true }, "Select.trySelect"); }
  /** Waits at most `ms`; throws SelectTimeoutError. */
  selectTimeout(ms: number): Selected<T> { return runSync(this.#ops, { timeout: ms }, "Select.selectTimeout"); }
  /** As select() without blocking the thread; `{ timeout }` rejects with SelectTimeoutError. */
  selectAsync(opts: { timeout?: number } = {}): Promise<Selected<T>> {
    return runAsync(this.#ops, { timeout: opts?.timeout }, "Select.selectAsync");
  }

  // ready: the index of an operation that is ready now (a message or a free slot is there, a
  // rendezvous peer waits, or the channel is disconnected), without performing it. A hint: by
  // the time the caller acts, another thread may have taken it (use trySend/tryRecv then).

  /** Index of an operation ready now, or -1. */
  tryReady(): number { return readySync(this.#ops, 0, "Select.tryReady"); }
  /** Blocks until an operation is ready; its index. */
  ready(): number { return readySync(this.#ops, Infinity, "Select.ready"); }
  /** Waits at most `ms` for a ready operation; throws SelectTimeoutError. */
  readyTimeout(ms: number): number {
    const k = readySync(this.#ops, ms, "Select.readyTimeout");
    if (k < 0) throw new SelectTimeoutError("Select.readyTimeout", ms);
    return k;
  }
  /** As ready() without blocking the thread; `{ timeout }` rejects with SelectTimeoutError. */
  async readyAsync(opts: { timeout?: number } = {}): Promise<number> {
    const ms = opts?.timeout ?? Infinity;
    const k = await readyAsync(this.#ops, ms, "Select.readyAsync");
    if (k < 0) throw new SelectTimeoutError("Select.readyAsync", ms);
    return k;
  }
}
