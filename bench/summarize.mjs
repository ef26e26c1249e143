#!/usr/bin/env node
// Puts several bench runs side by side: the median of every case in each run, as Markdown.
//
//   node bench/summarize.mjs bench/out/run1.json bench/out/run2.json …
//
// One run on a shared or virtual machine can be unlucky; figures that hold across runs can be trusted.
import { readFileSync } from "node:fs";
import { fmt } from "./lib/table.mjs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node bench/summarize.mjs RUN.json [RUN.json …]");
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(readFileSync(f, "utf8")));
const head = ["suite / case", ...runs.map((r, i) => `run ${i + 1}`), "goal"];
const out = [`| ${head.join(" | ")} |`, `| --- | ${runs.map(() => "---:").join(" | ")} | ---: |`];
for (const s of runs[0].suites) {
  out.push(`| **${s.id}: ${s.title}** | ${runs.map(() => " ").join(" | ")} |   |`);
  for (const c of s.cases) {
    const cells = runs.map((r) => {
      const m = r.suites.find((x) => x.id === s.id)?.cases.find((x) => x.name === c.name)?.median;
      return m === undefined ? "-" : fmt(m, s.unit);
    });
    const goal = c.role === "weft" && s.goal !== undefined ? `<= ${fmt(s.goal, s.unit)}` : "";
    out.push(`| ${c.name} | ${cells.join(" | ")} | ${goal} |`);
  }
}
out.push("", `others (CPU taken by other processes): ${runs.map((r) => `${(100 * (r.othersTotal ?? NaN)).toFixed(0)}%`).join(", ")}`);
console.log(out.join("\n"));
