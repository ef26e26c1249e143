#!/usr/bin/env node
// `npm run bench`: weft beside its baselines, in one process, as one table.
//
//   node bench/index.mjs [--quick] [--only=a,c] [--md] [--json=FILE]
//
//   --quick    CI smoke: smaller batches, fewer repetitions (under a minute)
//   --only     run only the suites with these ids
//   --md       print the table as Markdown (for bench/RESULTS.md)
//   --json     also write every sample to FILE (default bench/out/latest.json)
//
// Every figure is the median of several repetitions after warm-up ones; see lib/measure.mjs.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";
import * as weft from "../build/index.js";
import { suites } from "./suites/index.mjs";
import { repeatInterleaved } from "./lib/measure.mjs";
import { buildRows, renderText, renderMarkdown } from "./lib/table.mjs";
import { cpuSnapshot, otherLoad } from "./lib/machine.mjs";

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const unknown = args.filter((a) => !/^--(quick|md|only=.+|json=.+)$/.test(a));
if (unknown.length > 0) {
  console.error(`bench: unknown argument(s) ${unknown.join(" ")}\nusage: node bench/index.mjs [--quick] [--only=a,c] [--md] [--json=FILE]`);
  process.exit(2);
}

const quick = flag("quick");
const only = option("only")?.split(",");
const jsonFile = option("json") ?? fileURLToPath(new URL("./out/latest.json", import.meta.url));
const plan = { warmup: quick ? 2 : 3, reps: quick ? 5 : 11 };
const WEFT_THREADS = 2;

const cpus = os.cpus();
console.log(`weft bench${quick ? " (--quick)" : ""}`);
console.log(`node ${process.version}, ${os.availableParallelism()} cores (${cpus[0]?.model ?? "?"}), ${os.platform()} ${os.arch()}`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
const loadBefore = load();
const pct = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)}%` : "n/a");
console.log(`load average before: ${loadBefore}; "others" below = CPU time other processes took while a suite ran`);
console.log(`each figure: median of ${plan.reps} repetitions after ${plan.warmup} warm-up, cases interleaved\n`);

const ctx = { weft, quick };
const results = [];
const started = performance.now();
const cpuStart = cpuSnapshot();
for (const suite of suites) {
  if (only && !only.includes(suite.id)) continue;
  const t0 = performance.now();
  const cpu0 = cpuSnapshot();
  process.stdout.write(`${suite.id}: ${suite.title} … `);
  const res = { suite, cases: [], error: null };
  try {
    if (suite.needsWeft && !weft.isInitialized()) await weft.init({ threads: WEFT_THREADS });
    if (!suite.needsWeft && weft.isInitialized()) await weft.shutdown();
    const { cases, cleanup, notes } = await suite.prepare(ctx);
    try {
      const stats = await repeatInterleaved(cases, plan);
      res.cases = cases.map((c, i) => ({ name: c.name, role: c.role, goal: c.goal, vs: c.vs, stats: stats[i] }));
      res.notes = notes?.() ?? [];
    } finally {
      await cleanup?.();
    }
    res.others = otherLoad(cpu0, cpuSnapshot());
    console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s (others ${pct(res.others)})`);
  } catch (e) {
    res.error = e;
    console.log(`FAILED: ${e?.stack ?? e}`);
  }
  results.push(res);
}
if (weft.isInitialized()) await weft.shutdown();

const rows = buildRows(results);
console.log(`\n${flag("md") ? renderMarkdown(rows) : renderText(rows)}`);
console.log("\nweft/base = weft median / baseline median (below 1: weft is faster); goal applies to the weft median;");
console.log("rows in (parentheses) are for analysis only.");
const notes = results.flatMap((r) => (r.notes ?? []).map((n) => `${r.suite.id}: ${n}`));
if (notes.length > 0) console.log(`\n${notes.join("\n")}`);
const loadAfter = load();
const othersTotal = otherLoad(cpuStart, cpuSnapshot());
console.log(`load average after: ${loadAfter}; other processes took ${pct(othersTotal)} of the CPU time during the run`);console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);

mkdirSync(dirname(jsonFile), { recursive: true });
writeFileSync(jsonFile, JSON.stringify({
  date: new Date().toISOString(), node: process.version, cores: os.availableParallelism(), cpu: cpus[0]?.model,
  command: `node bench/index.mjs ${args.join(" ")}`.trim(), plan, loadBefore, loadAfter, othersTotal,
  suites: results.map(({ suite, cases, error, notes, others }) => ({
    id: suite.id, title: suite.title, unit: suite.unit, goal: suite.goal, error: error ? String(error) : undefined, notes, others,
    cases: cases.map((c) => ({ name: c.name, role: c.role, goal: c.goal, ...c.stats })),
  })),
}, null, 2));
console.log(`samples: ${jsonFile}`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
