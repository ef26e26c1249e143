// Bench kernels (bench/kernels/*.ts, against weft's AssemblyScript library) and a raw engine to run
// them on: the engine module of build/ instantiated over a fresh shared memory of its own (apart
// from weft.init's), so worker_threads can host an engine + kernel pair each.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildKernel } from "../../tests/fixtures/build-kernel.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Newest modification time of the files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    t = Math.max(t, f.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The compiled kernel `bench/kernels/<name>.ts`, rebuilt only when it or assembly/ changed. */
export function loadBenchKernel(name) {
  const out = `build/bench-${name}-kernel.wasm`;
  const src = `bench/kernels/${name}.ts`;
  const stale = !existsSync(root + out)
    || statSync(root + out).mtimeMs < Math.max(statSync(root + src).mtimeMs, newest(`${root}assembly`));
  if (stale) buildKernel(out, src);
  return new WebAssembly.Module(readFileSync(root + out));
}

export function instantiate(module, memory) {
  return new WebAssembly.Instance(module, { env: { memory }, weft: { now: () => performance.now() } }).exports;
}

/** build/weft.wasm over a fresh memory, initialised, agent 1 on this thread. */
export function rawEngine() {
  const module = new WebAssembly.Module(readFileSync(`${root}build/weft.wasm`));
  const memory = new WebAssembly.Memory({ initial: 17, maximum: 16384, shared: true });
  const x = instantiate(module, memory);
  x.engine_init();
  x.agent_attach(1, 1);
  const constant = (name) => Number(x[name].value) >>> 0;
  return { module, memory, x, constant };
}
