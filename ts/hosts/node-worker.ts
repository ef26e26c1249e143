// Node worker entry (bundled to build/worker.node.js).
import { workerData, parentPort } from "node:worker_threads";
import * as weft from "../index"; // registers every handle type; the API for inline tasks
import { runWorker } from "../worker/loop";
import { installNodeKeepAlive } from "./node-keepalive";
import type { BootData, ToMain } from "../protocol";

// Inline tasks are sent as source and cannot import: they reach the API as `globalThis.weft`.
(globalThis as { weft?: typeof weft }).weft = weft;

installNodeKeepAlive();
await runWorker(workerData as BootData, {
  postToMain: (msg: ToMain) => parentPort!.postMessage(msg),
});
process.exit(0); // ends this worker thread only, even if the last task left timers behind
