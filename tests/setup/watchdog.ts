// Per-test watchdog. vitest's own timeout cannot fire while a test blocks its thread in a
// synchronous wait (Atomics.wait, a wasm futex wait), so a separate thread watches a deadline
// in shared memory and kills this test process if a test overruns it. vitest then reports the
// file as failed (with the test named below) instead of CI hanging.
import { Worker } from "node:worker_threads";
import { beforeEach, afterEach, afterAll } from "vitest";

const LIMIT_MS = Number(process.env.WEFT_WATCHDOG_MS ?? 60_000);
const shared = new SharedArrayBuffer(8 + 512);
const deadline = new Float64Array(shared, 0, 1);
const name = new Uint8Array(shared, 8, 512);

const watcher = new Worker(`
  const { workerData: { shared } } = require("node:worker_threads");
  const deadline = new Float64Array(shared, 0, 1);
  const name = new Uint8Array(shared, 8, 512);
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    Atomics.wait(tick, 0, 0, 250);
    const d = deadline[0];
    if (d > 0 && Date.now() > d) {
      const test = new TextDecoder().decode(name.slice(0, name.indexOf(0) < 0 ? 512 : name.indexOf(0)));
      process._rawDebug("\\nWATCHDOG: test '" + test + "' blocked for more than ${LIMIT_MS} ms: killing the test process");
      process.kill(process.pid, "SIGKILL");
    }
  }
`, { eval: true, workerData: { shared } });
watcher.unref();

beforeEach((ctx) => {
  name.fill(0);
  name.set(new TextEncoder().encode(ctx.task.name).slice(0, 511));
  deadline[0] = Date.now() + LIMIT_MS;
});
afterEach(() => { deadline[0] = 0; });
afterAll(async () => { await watcher.terminate(); });
