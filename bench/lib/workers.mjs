// Small helpers for baselines that run in plain worker_threads.
import { Worker } from "node:worker_threads";

/** Starts a worker from `url` and resolves once it is online. */
export async function startWorker(url, options) {
  const w = new Worker(url, options);
  await new Promise((resolve, reject) => {
    w.once("online", () => { w.off("error", reject); resolve(); });
    w.once("error", reject);
  });
  return w;
}

/** Posts `msg` and resolves with the worker's next message (rejects on its next error). */
export function request(w, msg, transfer) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => { w.off("error", onError); resolve(m); };
    const onError = (e) => { w.off("message", onMessage); reject(e); };
    w.once("message", onMessage);
    w.once("error", onError);
    w.postMessage(msg, transfer);
  });
}
