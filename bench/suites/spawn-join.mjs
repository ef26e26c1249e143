// Suite d: spawn + join of a trivial task on a warm pool, one after the other (latency, not
// throughput). Figure: µs per task over a batch.
//
//   weft         await weft.spawn(() => 1).join()
//   baseline     piscina: await pool.run(null)        (fixtures/piscina-task.mjs, 2 warm threads)
//   baseline     raw worker_thread postMessage round trip (fixtures/echo-worker.mjs)
import { Piscina } from "piscina";
import { nsPerOpAsync } from "../lib/measure.mjs";
import { startWorker, request } from "../lib/workers.mjs";

export default {
  id: "d",
  title: "spawn+join of a trivial task (warm pool)",
  unit: "µs",
  goal: 10,
  needsWeft: true,

  async prepare({ weft, quick }) {
    const n = quick ? 1000 : 3000;
    const pool = new Piscina({
      filename: new URL("../fixtures/piscina-task.mjs", import.meta.url).href, minThreads: 2, maxThreads: 2,
    });
    const echo = await startWorker(new URL("../fixtures/echo-worker.mjs", import.meta.url));
    const trivial = () => 1;
    const us = (v) => v / 1e3;
    return {
      cases: [
        {
          name: "weft  await spawn(() => 1).join()", role: "weft",
          run: async () => us(await nsPerOpAsync(n, async (k) => { for (let i = 0; i < k; i++) await weft.spawn(trivial).join(); })),
        },
        {
          name: "piscina  await pool.run()", role: "baseline",
          run: async () => us(await nsPerOpAsync(n, async (k) => { for (let i = 0; i < k; i++) await pool.run(null); })),
        },
        {
          name: "raw worker_thread postMessage round trip", role: "baseline",
          run: async () => us(await nsPerOpAsync(n, async (k) => { for (let i = 0; i < k; i++) await request(echo, 0); })),
        },
      ],
      notes: () => [`weft pool size after the suite: ${weft.stats().workers} workers (init asked for 2)`],
      async cleanup() { await pool.destroy(); await echo.terminate(); },
    };
  },
};
