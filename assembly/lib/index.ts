// weft's AssemblyScript library for kernel authors: the engine's allocator, atomics, futex waits
// and the std::sync family (Mutex, RwLock, Condvar, Barrier, Once, OnceLock, Semaphore, WaitGroup),
// for a user module compiled separately from the engine.
//
//   import { Mutex, RwLock, Condvar, malloc, SUCCESS } from "weft/assembly/lib";
//
// (asc resolves packages by directory and ignores package.json "exports": "weft/assembly/lib"
// is this file; "weft/assembly" would be the engine's own ABI, assembly/index.ts.)
//
// How a kernel shares state with weft
// -----------------------------------
// A kernel is a second wasm module instantiated, in every thread that runs it, over the SAME
// shared memory as the engine (import `env.memory`). It compiles its own copy of this library's
// code, but every piece of shared state lives in that memory at fixed addresses: the engine
// header in [0, 64 KiB) (heap top and base, size-class free lists, agent records; see
// assembly/layout.ts) and the heap above it. So a block malloc'ed by the kernel can be freed by
// the engine and a Mutex made by `new weft.Mutex(0)` in JS can be locked here: the pointer is all
// either side needs. Nothing of weft's lives in the kernel's own statics:
//
//   - Compile with the engine's flags, so the layout and the memory import agree —
//     `npx weft build-kernels my-kernels.ts` (bin/weft.mjs) passes exactly these:
//       --runtime stub --enable threads --importMemory --sharedMemory --zeroFilledMemory
//       --initialMemory 17 --maximumMemory 16384 --memoryBase 65536 -O3 --noAssert
//       --bindings raw --use abort=~lib/weft/assembly/engine/abort/weftAbort
//     `--use abort=…` replaces AssemblyScript's abort import (env.abort) with a trap; from a
//     checkout rather than the package, name the file by its path: abort=assembly/engine/abort/
//     weftAbort. `--noAssert` matters too: an assert() keeps its file name as a data segment even
//     then. Pass `--config` explicitly (an empty one will do): asc merges ./asconfig.json into
//     every command-line build otherwise. Check the result as tests/aslib.test.ts does: imports
//     env.memory (shared, with a maximum) and weft.now only, no data section, no start section.
//   - No `new`, strings, arrays or other managed objects, no static data, no top-level code that
//     runs at start: data segments and start functions run again in every instance and would
//     clobber shared memory (DESIGN.md fact 2). A kernel's own statics (memoryBase 65536) would
//     overlap the engine's heap: keep them empty, allocate with `malloc` instead. Function
//     references count as static data too (each is a static Function object): pass a class
//     instead where code must be supplied (Once.call takes any class with a `run(): bool`).
//   - The heap is initialised once by the engine (`engine_init`, which writes HEAP_BASE and
//     HEAP_TOP into the header); a kernel never initialises anything. Instantiate the engine
//     first, then the kernel.
//   - Wasm globals are per instance: the only per-thread state is the agent number (who owns a
//     lock) and whether the thread may block. The engine instance of a thread knows them, the
//     kernel instance does not: the host must call the kernel's `agent_attach(agent, canBlock)`
//     in every kernel instance, with the agent of the thread it runs on. Re-export it from your
//     entry file so the host can call it:
//         export { agent_attach } from "weft/assembly/lib";
//
// Every function here may be called from any thread. Results are the engine's codes (SUCCESS,
// POISONED, TIMEOUT, …, re-exported below); pointers are u32 addresses in the shared memory.
//
// The primitives
// --------------
// Each is an `@unmanaged` class viewing the shared object at an address, `X.at(ptr)`, with the
// object's operations as methods, plus function forms taking the raw pointer (`rwlockWrite(p)`).
// The objects are the very ones the JS API and the engine's ABI make (same layout, same futex
// words, same algorithms: assembly/sync/*.ts compiled into the kernel), so a `new weft.RwLock(0)`
// made in JS is locked here from its `ptr`, and a Barrier made here (`Barrier.create(n)`) passes
// the engine's handle check. Every X has:
//   X.at(ptr)          the view (no check)       X.check(ptr, gen)  SUCCESS or INVALID_HANDLE
//   X.create(…)        a new object, REFS 1, or null (out of memory, bad argument)
//   x.ptr, x.retain()  +1 reference, x.drop()   -1 reference, frees at 0 (plain values only)
// A blocking operation `op()` waits without limit; `opFor(ms)` at most ms (TIMEOUT; negative or NaN
// ms: INVALID_ARGUMENT); `tryOp()`, where there is one, never waits (WOULD_BLOCK).
// Where this thread may not block (canBlock() false: attached with canBlock 0, a browser main
// thread), waits spin on the futex word instead of sleeping; the results are the same.
//
//   mutex.ts      Mutex      lock, lockFor, tryLock, unlock, isPoisoned, clearPoison, kind, valuePtr
//   rwlock.ts     RwLock     read, readFor, tryRead, readUnlock, write, writeFor, tryWrite,
//                            writeUnlock, isPoisoned, clearPoison, kind, valuePtr
//   condvar.ts    Condvar    wait(m), waitFor(m, ms), notifyOne, notifyAll
//   barrier.ts    Barrier    wait, waitFor -> BARRIER_LEADER | SUCCESS; parties
//   once.ts       Once       begin, beginFor, beginForce -> ONCE_RUN…; finish(ok); call(init);
//                            wait, waitFor, isCompleted
//                 OnceLock   begin, beginFor, finish(kind), wait, waitFor, isSet, kind, valuePtr
//   semaphore.ts  Semaphore  acquire, acquireFor, tryAcquire, release(n), permits
//   waitgroup.ts  WaitGroup  join, leave, wait, waitFor, count
//   channel.ts    Sender     send, sendTimeout, trySend, sendMany, sendManyTimeout, trySendMany
//                 Receiver   recv, recvTimeout, tryRecv, value, recvMany, recvManyTimeout,
//                            tryRecvMany; both: len, capacity, isDisconnected, channel;
//                            batchCode(). Views over the ENDS of a channel made in JS (numeric
//                            kinds): no create; `…Timeout(ms)` are the `…For` forms (crossbeam names)
import "../engine/abort"; // weftAbort, the target of `--use abort=…`
import { attach, AGENT, CAN_BLOCK } from "../engine/local";
import { futexWait, futexWake, deadlineAfter } from "../sync/futex";

export { malloc, free, realloc, isLive, usableSize } from "../heap/index";
export {
  load32, store32, cas32, xchg32, add32, sub32, and32, or32, xor32,
  load64, store64, cas64, xchg64, add64,
} from "../sync/atomic";
export {
  SUCCESS, WOULD_BLOCK, TIMEOUT, POISONED, NOT_OWNER, INVALID_HANDLE, OUT_OF_MEMORY, DOUBLE_FREE,
  INVALID_POINTER, WOULD_DEADLOCK, NOT_LOCKED, INVALID_ARGUMENT, ONCE_POISONED, FULL, EMPTY, DISCONNECTED,
  KIND_NONE, KIND_NUMBER, KIND_BIGINT, KIND_BOOL, KIND_HANDLE, KIND_ANY,
} from "../layout";
export { BARRIER_LEADER } from "../sync/barrier";
export { ONCE_RUN, ONCE_RUN_POISONED } from "../sync/once";
export { SEMAPHORE_MAX } from "../sync/semaphore";
export { WOKEN, NOT_EQUAL, TIMED_OUT } from "../sync/futex";
export { now } from "../engine/clock";

export * from "./mutex";
export * from "./rwlock";
export * from "./condvar";
export * from "./barrier";
export * from "./once";
export * from "./semaphore";
export * from "./waitgroup";
export * from "./channel";
export { CHAN_KIND_F64, CHAN_KIND_I32, CHAN_KIND_U32 } from "../channel/layout";
export { retainObject, dropObject } from "./common";

// ---- this thread ----------------------------------------------------------------------------

/** Binds this kernel instance to the thread's agent. Export it from the kernel's entry file. */
export function agent_attach(agent: u32, canBlock: i32): void { attach(agent, canBlock != 0); }

/** The agent (engine thread slot) this instance is attached to; 0 before agent_attach. */
export function thisAgent(): u32 { return AGENT; }

/** Whether this thread may block (false on a browser main thread: waits spin instead). */
export function canBlock(): bool { return CAN_BLOCK; }

// ---- futex wait / wake ----------------------------------------------------------------------

/**
 * Sleeps while `*ptr == expected`, at most `timeoutMs` (Infinity: no limit): WOKEN, NOT_EQUAL
 * or TIMED_OUT; spurious wake-ups happen, so re-check the condition in a loop. Pairs with `wake`
 * (and with JS `Atomics.notify` on the same word). Negative or NaN timeouts count as 0.
 */
export function wait(ptr: usize, expected: i32, timeoutMs: f64 = Infinity): i32 {
  return futexWait(ptr, expected, deadlineAfter(timeoutMs >= 0 ? timeoutMs : 0));
}

/** Wakes up to `count` threads waiting on `ptr` (-1: all); returns how many woke. */
export function wake(ptr: usize, count: i32 = 1): i32 { return futexWake(ptr, count); }
