// `npx weft build-kernels` (bin/weft.mjs): builds a user's kernel module with the flags a kernel
// must have, from any working directory; bad usage exits 2 with a message.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseWasm } from "./fixtures/wasm-sections";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "bin/weft.mjs");
const run = (args: string[], cwd = root) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout: 120_000 });

describe("weft build-kernels", () => {
  it("builds a kernel from another directory: shared memory import, no data, no start", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-cli-"));
    // A user's kernel: a Mutex from weft's AssemblyScript library, locked and unlocked in wasm.
    writeFileSync(join(dir, "my-kernels.ts"), [
      `import { Mutex, SUCCESS } from "${relative(dir, join(root, "assembly/lib/index")).split(sep).join("/")}";`,
      "export function bump(m: usize, n: i32): i32 {",
      "  const mutex = Mutex.at(m);",
      "  for (let i = 0; i < n; i++) { if (mutex.lock() != SUCCESS) return -1; mutex.unlock(); }",
      "  return n;",
      "}",
    ].join("\n"));
    const r = run(["build-kernels", "my-kernels.ts", "--out", "out/k.wasm"], dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, "out/k.wasm"))).toBe(true);
    const info = parseWasm(readFileSync(join(dir, "out/k.wasm")));
    expect(info.dataCount ?? 0).toBe(0);
    expect(info.hasStart).toBe(false);
    expect(info.imports.find((i) => i.kind === "memory")!.memory).toMatchObject({ flags: 3, min: 17, max: 16384 });
  });

  it("bad usage exits 2 and says why", () => {
    for (const [args, msg] of [
      [[], "no command given"], [["frobnicate"], "unknown command"], [["build-kernels"], "no entry file"],
      [["build-kernels", "nope.ts"], "no such file"], [["build-kernels", "tests/fixtures/kernel.ts", "--bogus"], "unknown option"],
    ] as [string[], string][]) {
      const r = run(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(msg);
    }
  });
});
