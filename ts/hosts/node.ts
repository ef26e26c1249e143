// Node host: worker_threads, the wasm file read from disk, os.availableParallelism.
import { Worker } from "node:worker_threads";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { Host, WorkerEvents, WorkerLike } from "./host";
import type { BootData } from "../protocol";
import { installNodeKeepAlive } from "./node-keepalive";

const wasmUrl = new URL("./weft.wasm", import.meta.url);
const workerUrl = new URL("./worker.node.js", import.meta.url);

export const nodeHost: Host = {
  name: "node",
  mainCanBlock: true,
  availableParallelism: () => availableParallelism(),

  async loadWasm(src) {
    if (src === undefined) return readFile(wasmUrl);
    if (typeof src === "string" || src instanceof URL) return readFile(src);
    return src;
  },

  startWorker(data: BootData, on: WorkerEvents): WorkerLike {
    const w = new Worker(workerUrl, { workerData: data, name: `weft-agent-${data.agent}` });
    // Idle workers must not keep the process alive (Rust: threads die with main); operations that
    // wait on them hold the keep-alive instead.
    w.unref();
    const exited = new Promise<void>((resolve) => w.once("exit", () => { on.exit(); resolve(); }));
    w.on("message", on.message);
    w.on("error", on.error);
    return { exited, terminate: async () => { await w.terminate(); await exited; } };
  },

  installKeepAlive: installNodeKeepAlive,
};
