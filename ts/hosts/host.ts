// What each platform adapter provides (one small file per host: node, web, inline).
import type { BootData, ToMain } from "../protocol";

export interface WorkerLike {
  /** Resolves once the worker has exited. */
  terminate(): Promise<void>;
  readonly exited: Promise<void>;
}

export interface WorkerEvents {
  message(msg: ToMain): void;
  error(err: Error): void;
  exit(): void;
}

/** Main-thread side of a platform. */
export interface Host {
  readonly name: string;
  availableParallelism(): number;
  /** The engine's wasm bytes (default: build/weft.wasm next to the bundle). */
  loadWasm(src?: URL | string | BufferSource): Promise<BufferSource>;
  startWorker(data: BootData, on: WorkerEvents): WorkerLike;
  /** Makes the pending-async-wait keep-alive (keepalive.ts) work on this platform. */
  installKeepAlive(): void;
  /** Whether the calling (main) thread may block in Atomics.wait. */
  mainCanBlock: boolean;
}

/** Worker side of a platform. */
export interface WorkerHost {
  postToMain(msg: ToMain): void;
}
