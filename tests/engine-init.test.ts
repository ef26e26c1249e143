// The engine header in [0, 64 KiB) is initialised exactly once, by whichever instance wins the
// cmpxchg on the INIT word; the others wait until it is ready (no data segments, no start function
// to do it: DESIGN.md fact 2).
import { describe, it, expect } from "vitest";
import { engineModule, sharedMemory, runWorkers, instantiate, constant } from "./fixtures/engine";

describe("engine init", () => {
  it("several instances racing engine_init on a fresh memory: exactly one initialises, all see it ready", async () => {
    for (let round = 0; round < 5; round++) {
      const module = engineModule();
      const memory = sharedMemory();
      const run = await runWorkers(new URL("./fixtures/init-worker.mjs", import.meta.url), 4, () => ({ module, memory }));
      expect(run.errors).toEqual([]);
      const winners = run.results.filter((r) => r[0] === 1).length;
      expect(winners).toBe(1);
      const x = instantiate(module, memory);
      expect(x.engine_init()).toBe(0); // already done: later instances only wait for READY
      const base = new Int32Array(memory.buffer)[constant(x, "H_HEAP_BASE") >>> 2];
      expect(base).toBeGreaterThanOrEqual(65536);
      for (const r of run.results) {
        expect(r[1]).toBe(base);
        expect(r[2] >>> 0).toBe(constant(x, "MAGIC"));
      }
      expect(new Int32Array(memory.buffer)[constant(x, "H_INIT") >>> 2]).toBe(constant(x, "INIT_READY"));
    }
  });

  it("instantiating the module again over a live memory changes nothing in it", () => {
    const module = engineModule();
    const memory = sharedMemory();
    const a = instantiate(module, memory);
    a.engine_init();
    a.agent_attach(1, 1);
    const p = a.heap_alloc(100);
    new Uint8Array(memory.buffer).fill(0x5a, p, p + 100);
    const before = new Uint8Array(memory.buffer).slice();
    instantiate(module, memory); // a second instance, as every worker makes
    expect(new Uint8Array(memory.buffer)).toEqual(before);
  });
});
