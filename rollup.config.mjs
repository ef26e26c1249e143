// Bundles ts/ into build/ as ESM (+ one .d.ts). The wasm is built by scripts/build.mjs first.
import esbuild from "rollup-plugin-esbuild";
import { dts } from "rollup-plugin-dts";
import { nodeResolve } from "@rollup/plugin-node-resolve";

const external = (id) => id.startsWith("node:");
// msgpackr is bundled in its plain-JS build (the "default" export condition): one file to load in
// every worker instead of its module graph plus the optional native addon — faster worker boot.
const resolve = nodeResolve({ exportConditions: ["default"], preferBuiltins: true });

export default [
  {
    input: { index: "ts/index.ts", "worker.node": "ts/hosts/node-worker.ts" },
    external,
    plugins: [resolve, esbuild({ target: "es2022", tsconfig: "tsconfig.json" })],
    output: { dir: "build", format: "es", entryFileNames: "[name].js", chunkFileNames: "[name].js", sourcemap: true },
  },
  {
    input: "ts/index.ts",
    external: (id) => external(id) || id === "msgpackr",
    plugins: [dts({ tsconfig: "tsconfig.json" })],
    output: { file: "build/index.d.ts", format: "es" },
  },
];
