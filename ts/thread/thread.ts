// std::thread's Thread, current(), park/unpark, sleep and yield_now.
//
// Every thread (the main thread included) has a task object in shared memory; a `Thread` is a
// handle to it, so it can be cloned, sent to other threads and used to unpark from anywhere.
// Park protocol (Rust's): PARK is a token word, 0 = empty, 1 = unparked. park() consumes a token
// (xchg to 0) or sleeps on the word while it is 0; unpark() stores 1 and wakes the sleeper.
// unpark wakes every waiter of the word, not one: they are all parks of that one thread, and a
// parkAsync it left pending would otherwise take the only wake-up (Atomics.notify is FIFO over
// async and blocking waiters) while the thread sits in a blocking park, which would never return
// (the token stays set, so later unparks do not notify).
import { engine, views } from "../engine";
import { SharedHandle, registerHandleType, adopt, takeAdopting, RawHandle } from "../handle";
import { checkTimeout, MainThreadBlockError } from "../errors";
import { waitAsync } from "../keepalive";

const utf8 = new TextDecoder();

export class Thread extends SharedHandle {
  /** @internal adopts a task object's reference. */
  constructor() {
    const raw = takeAdopting() as RawHandle;
    super(raw.ptr, raw.gen);
  }
  protected get tagName(): string { return "TAG_TASK"; }

  /** The ThreadId: unique for the life of the engine; the main thread is 1. */
  get id(): number { return views().u32[(this.ptr + engine().L.T_THREAD) >>> 2]; }

  /** The name given at spawn, or undefined. */
  get name(): string | undefined {
    const { L } = engine();
    const V = views();
    const p = V.u32[(this.ptr + L.T_NAME) >>> 2], n = V.u32[(this.ptr + L.T_NAME_LEN) >>> 2];
    return p === 0 ? undefined : utf8.decode(V.u8.slice(p, p + n));
  }

  /** Makes the thread's next (or current) park() return. */
  unpark(): void {
    const i = (this.ptr + engine().L.T_PARK) >>> 2;
    const i32 = views().i32;
    if (Atomics.exchange(i32, i, 1) === 0) Atomics.notify(i32, i); // all: see the header
  }
}

registerHandleType("TAG_TASK", {
  name: "Thread",
  make: (ptr, gen) => adopt({ ptr, gen }, () => new Thread()),
  destroy: (ptr) => destroyTask(ptr),
});

let destroyTask: (ptr: number) => void = () => {};
/** spawn.ts provides the task destructor (frees payload, result and name bytes). */
export function setTaskDestructor(f: (ptr: number) => void): void { destroyTask = f; }

// ---- the current thread ----------------------------------------------------------------------

let currentTask = 0;
let currentThread: Thread | null = null;

/** @internal sets the task whose thread is running on this agent now. */
export function setCurrentTask(task: number, gen: number): void {
  currentTask = task;
  currentThread?.intoRaw(); // do not release: the runner holds the task's reference
  currentThread = task === 0 ? null : adopt({ ptr: task, gen }, () => new Thread());
}

/** The calling thread. */
export function current(): Thread {
  if (currentThread === null) throw new Error("weft: no current thread (not initialised)");
  return currentThread.clone();
}

function parkIndex(): number {
  return (currentTask + engine().L.T_PARK) >>> 2;
}

/** Blocks until unparked (a token already there is consumed at once). Spurious returns happen, as in Rust. */
export function park(): void { parkTimeout(Infinity); }

/** Like park, for at most `ms` milliseconds. */
export function parkTimeout(ms: number): void {
  checkTimeout(ms, "thread.parkTimeout");
  const e = engine();
  const i = parkIndex();
  const i32 = views().i32;
  if (Atomics.exchange(i32, i, 0) === 1) return;
  if (!e.canBlock) throw new MainThreadBlockError("thread.park", "thread.parkAsync()");
  Atomics.wait(i32, i, 0, ms);
  Atomics.store(i32, i, 0);
}

/** park() for threads that may not block. */
export async function parkAsync(ms = Infinity): Promise<void> {
  checkTimeout(ms, "thread.parkAsync");
  const i = parkIndex();
  const i32 = views().i32;
  if (Atomics.exchange(i32, i, 0) === 1) return;
  await waitAsync(i32, i, 0, ms);
  Atomics.store(i32, i, 0);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling thread for `ms` milliseconds. */
export function sleep(ms: number): void {
  checkTimeout(ms, "thread.sleep");
  if (!engine().canBlock) throw new MainThreadBlockError("thread.sleep", "thread.sleepAsync()");
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Resolves after `ms` milliseconds without blocking. */
export function sleepAsync(ms: number): Promise<void> {
  checkTimeout(ms, "thread.sleepAsync");
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A scheduling hint (Rust's yield_now). JS threads cannot yield their OS thread; this returns at once. */
export function yieldNow(): void {}
