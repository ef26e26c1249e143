// weft: the public API (see docs/API.md). Everything users import comes from here.
export { init, shutdown, availableParallelism, stats, isInitialized } from "./init";
export type { InitOptions } from "./init";
export { spawn, scope, JoinHandle, Scope } from "./thread/spawn";
export type { SpawnOptions, ModuleTask } from "./thread/spawn";
export { Thread } from "./thread/thread";
export * as thread from "./thread/api";
export { Mutex, MutexGuard } from "./sync/mutex";
export * from "./sync/rwlock";
export * from "./sync/condvar";
export * from "./sync/barrier";
export * from "./sync/once";
export * from "./sync/semaphore";
export * from "./sync/waitgroup";
export * from "./atomics";
export * from "./shared-array";
export * from "./channel";
export { SharedHandle } from "./handle";
export type { RawHandle } from "./handle";
export {
  WeftError, PoisonError, ThreadPanic, TimeoutError, InvalidHandleError, DroppedError, OutOfMemoryError,
  HeapError, NotOwnerError, NotLockedError, WouldDeadlockError, InvalidArgumentError,
  UnsupportedValueError, NotSendError, OrderingError, NotInitializedError, ThreadLimitError,
  MainThreadBlockError, SendError, RecvError, TrySendError, TryRecvError, SendTimeoutError,
  RecvTimeoutError, SelectTimeoutError, SendManyError, SendManyTimeoutError,
} from "./errors";
/** @internal benchmark hooks (bench/), not part of the API. */
export { __bench } from "./bench-hooks";
export { ThreadPool, PoolScope, join } from "./sched/pool";
export type { ThreadPoolOptions } from "./sched/pool";
/** @internal the body of a pool worker thread (ts/sched/pool.ts), reached as globalThis.weft. */
export { __schedWorker } from "./sched/worker";
export { par, range, ParIter, ParRange, __parRun, __parPart } from "./sched/par";
