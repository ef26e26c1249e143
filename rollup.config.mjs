// Bundles ts/ into build/ as ESM (+ one .d.ts). The wasm is built by scripts/build.mjs first.
import esbuild from "rollup-plugin-esbuild";
import { dts } from "rollup-plugin-dts";

const external = (id) => id.startsWith("node:") || id === "msgpackr";

export default [
  {
    input: { index: "ts/index.ts", "worker.node": "ts/hosts/node-worker.ts" },
    external,
    plugins: [esbuild({ target: "es2022", tsconfig: "tsconfig.json" })],
    output: { dir: "build", format: "es", entryFileNames: "[name].js", chunkFileNames: "[name].js", sourcemap: true },
  },
  {
    input: "ts/index.ts",
    external,
    plugins: [dts({ tsconfig: "tsconfig.json" })],
    output: { file: "build/index.d.ts", format: "es" },
  },
];
