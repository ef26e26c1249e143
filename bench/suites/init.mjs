// Suite e: engine start-up: `await weft.init({ threads: 2 })` until both workers are ready
// (instantiated and idle), then `await weft.shutdown()`. Figure: ms per init (median of cycles).
//
//   weft         weft.init({ threads: 2 })
//   baseline     2 raw worker_threads started until each has posted "ready" (fixtures/ready-worker.mjs)
//   info         weft.shutdown() of the same cycle
import { Worker } from "node:worker_threads";
import { msOf } from "../lib/measure.mjs";

const THREADS = 2;

export default {
  id: "e",
  title: `init() with ${THREADS} workers ready`,
  unit: "ms",
  goal: 100,
  needsWeft: false, // it starts and stops the engine itself

  async prepare({ weft }) {
    let lastShutdown = NaN;
    const readyUrl = new URL("../fixtures/ready-worker.mjs", import.meta.url);
    return {
      cases: [
        {
          name: `weft.init({ threads: ${THREADS} })`, role: "weft",
          run: async () => {
            const ms = await msOf(() => weft.init({ threads: THREADS }));
            lastShutdown = await msOf(() => weft.shutdown());
            return ms;
          },
        },
        {
          name: `${THREADS} raw worker_threads until ready`, role: "baseline",
          run: async () => {
            let ws = [];
            const ms = await msOf(async () => {
              ws = Array.from({ length: THREADS }, () => new Worker(readyUrl));
              await Promise.all(ws.map((w) => new Promise((resolve, reject) => {
                w.once("message", () => { w.off("error", reject); resolve(); });
                w.once("error", reject);
              })));
            });
            await Promise.all(ws.map((w) => w.terminate()));
            return ms;
          },
        },
        { name: "(weft.shutdown() after it)", role: "info", run: () => lastShutdown },
      ],
      cleanup() {},
    };
  },
};
