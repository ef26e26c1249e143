#!/usr/bin/env node
// Builds everything into build/: the engine wasm (release + debug) with asc, a wasm-opt pass on
// the release module, then the TypeScript bundles and .d.ts with rollup.
// Usage: node scripts/build.mjs [--wasm-only]
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

mkdirSync(`${root}build`, { recursive: true });
for (const target of ["release", "debug"]) {
  // --config is explicit: asc would otherwise merge ./asconfig.json silently (DESIGN.md fact 1).
  run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", target]);
}
const before = statSync(`${root}build/weft.wasm`).size;
run(bin("wasm-opt"), [
  "build/weft.wasm", "-O3", "--enable-threads", "--enable-bulk-memory", "--enable-mutable-globals",
  "--enable-sign-ext", "--enable-nontrapping-float-to-int", "-o", "build/weft.wasm",
]);
console.log(`wasm-opt: ${before} -> ${statSync(`${root}build/weft.wasm`).size} bytes`);
if (!process.argv.includes("--wasm-only")) {
  // Stale chunks from an earlier build would linger beside the new ones: clear the bundle outputs.
  const asc = new Set(["weft.js", "weft.debug.js", "weft.d.ts", "weft.debug.d.ts"]);
  for (const f of readdirSync(`${root}build`)) {
    if ((f.endsWith(".js") || f.endsWith(".js.map") || f === "index.d.ts") && !asc.has(f)) rmSync(`${root}build/${f}`);
  }
  run(bin("rollup"), ["-c", "rollup.config.mjs", "--silent"]);
}
