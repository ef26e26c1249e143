#!/usr/bin/env node
// weft's command line. One command so far:
//
//   npx weft build-kernels <entry.ts> [--out <file.wasm>] [--wat]
//
// compiles a user's AssemblyScript kernel module (written against `weft/assembly/lib`) with the
// flags a kernel must have to share weft's memory: imported shared memory with the engine's
// limits, the stub runtime, no data segments below the engine's heap (memoryBase 64 KiB), no
// asserts (they keep file names as data), and asc's abort replaced by a trap. `--config` names an
// empty config, since asc would otherwise merge ./asconfig.json into the build (DESIGN.md fact 1).
// The rules for the kernel's own code are in assembly/lib/index.ts ("How a kernel shares state").
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** weft's package root (this file is bin/weft.mjs). */
export const WEFT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** asc's flags for a kernel built from `cwd` (paths inside are relative to it, as asc wants). */
export function kernelFlags(cwd = process.cwd()) {
  const rel = (p) => relative(cwd, resolve(WEFT_ROOT, p)).split(sep).join("/");
  return [
    "--config", rel("assembly/lib/kernel.asconfig.json"),
    "--runtime", "stub", "--enable", "threads", "--importMemory", "--sharedMemory", "--zeroFilledMemory",
    "--initialMemory", "17", "--maximumMemory", "16384", "--memoryBase", "65536",
    "-O3", "--noAssert", "--bindings", "raw",
    "--use", `abort=${rel("assembly/engine/abort/weftAbort")}`,
  ];
}

/** Compiles `entry` into `out` (and `out` with .wat if `wat`); throws if asc fails. */
export function buildKernels(entry, out, { cwd = process.cwd(), wat = false, stdio = "inherit" } = {}) {
  const asc = createRequire(resolve(WEFT_ROOT, "package.json")).resolve("assemblyscript/bin/asc.js");
  mkdirSync(dirname(resolve(cwd, out)), { recursive: true });
  const args = [asc, entry, ...kernelFlags(cwd), "--outFile", out];
  if (wat) args.push("--textFile", out.replace(/\.wasm$/, "") + ".wat");
  execFileSync(process.execPath, args, { cwd, stdio: ["ignore", stdio, stdio] });
  return resolve(cwd, out);
}

function usage(msg) {
  if (msg) console.error(`weft: ${msg}`);
  console.error("usage: weft build-kernels <entry.ts> [--out <file.wasm>] [--wat]");
  process.exit(2);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd !== "build-kernels") usage(cmd === undefined ? "no command given" : `unknown command '${cmd}'`);
  let entry, out, wat = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--out") { out = rest[++i]; if (out === undefined) usage("--out needs a file name"); }
    else if (rest[i] === "--wat") wat = true;
    else if (rest[i].startsWith("-")) usage(`unknown option '${rest[i]}'`);
    else if (entry === undefined) entry = rest[i];
    else usage(`one entry file only (got '${entry}' and '${rest[i]}')`);
  }
  if (entry === undefined) usage("no entry file given");
  if (!existsSync(entry)) usage(`no such file: ${entry}`);
  out ??= `build/${entry.replace(/^.*[\\/]/, "").replace(/\.ts$/, "")}.wasm`;
  try {
    console.log(buildKernels(entry, out, { wat }));
  } catch {
    console.error("weft: asc failed (its messages are above)");
    process.exit(1);
  }
}
