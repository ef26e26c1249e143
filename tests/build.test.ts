// The built engine modules keep the invariants that make one module safe to instantiate in every
// thread over one shared memory (DESIGN.md facts 1 and 2): a shared imported memory with a
// maximum, no data segments, no start function, and no import the hosts do not provide.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { parseWasm, SECTION } from "./fixtures/wasm-sections";

/** Every import the hosts provide (ts/engine.ts attachEngine): anything else is an accident. */
const ALLOWED_IMPORTS = ["env.memory", "weft.now"];

for (const file of ["weft.wasm", "weft.debug.wasm"]) {
  describe(`build/${file}`, () => {
    const bytes = readFileSync(new URL(`../build/${file}`, import.meta.url));
    const info = parseWasm(bytes);

    it("imports exactly one memory, shared, with a maximum", () => {
      const mems = info.imports.filter((i) => i.kind === "memory");
      expect(mems.map((m) => `${m.module}.${m.name}`)).toEqual(["env.memory"]);
      const lim = mems[0].memory!;
      expect(lim.flags).toBe(0x03);
      expect(lim.shared).toBe(true);
      expect(lim.min).toBe(17);
      expect(lim.max).toBe(16384);
    });

    it("declares no memory of its own", () => {
      expect(info.sections.some((s) => s.id === SECTION.memory)).toBe(false);
    });

    it("imports nothing but env.memory and weft.now", () => {
      expect(info.imports.map((i) => `${i.module}.${i.name}`).sort()).toEqual([...ALLOWED_IMPORTS].sort());
      expect(info.imports.find((i) => i.name === "now")!.kind).toBe("func");
    });

    it("has no data segments", () => {
      expect(info.dataCount ?? 0).toBe(0);
      expect(info.dataCountSection ?? 0).toBe(0);
    });

    it("has no start function", () => {
      expect(info.hasStart).toBe(false);
      expect(info.sections.some((s) => s.id === SECTION.start)).toBe(false);
    });

    it("is accepted by WebAssembly.validate and parses to its end", () => {
      expect(WebAssembly.validate(bytes)).toBe(true);
      const last = info.sections[info.sections.length - 1];
      expect(last.start + last.size).toBe(bytes.length);
    });
  });
}

describe("the section reader", () => {
  // A hand-assembled module: one shared memory import (min 1, max 2), one func import, a start
  // section and a data section with one segment. Guards the reader against silently passing.
  const mod = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                                           // type: () -> ()
    0x02, 0x16, 0x02,                                                             // import, 2 entries
    0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x03, 0x01, 0x02, // env.memory shared 1..2
    0x01, 0x6d, 0x01, 0x66, 0x00, 0x00,                                           // m.f func type 0
    0x08, 0x01, 0x00,                                                             // start: func 0
    0x0b, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x2a,                         // data: 1 active segment
  ]);

  it("finds imports, limits, start and data in a module that has them", () => {
    expect(WebAssembly.validate(mod)).toBe(true);
    const info = parseWasm(mod);
    expect(info.imports.map((i) => `${i.module}.${i.name}:${i.kind}`)).toEqual(["env.memory:memory", "m.f:func"]);
    expect(info.imports[0].memory).toEqual({ flags: 3, min: 1, max: 2, shared: true });
    expect(info.hasStart).toBe(true);
    expect(info.dataCount).toBe(1);
  });

  it("rejects a file that is not wasm", () => {
    expect(() => parseWasm(new Uint8Array([0, 1, 2, 3, 1, 0, 0, 0]))).toThrow(/magic/);
  });
});
