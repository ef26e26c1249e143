// How busy the rest of the machine was: CPU time used by OTHER processes while a suite ran, as a
// share of all CPU time (Linux /proc/stat minus this process's own usage). Multi-threaded figures
// on a small machine are only meaningful when this stays near 0%.
import { readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** A snapshot: all CPUs' busy and total time (ms) and this process's CPU time (ms); null off Linux. */
export function cpuSnapshot() {
  let line;
  try { line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]; } catch { return null; }
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = f.reduce((a, b) => a + b, 0) * TICK_MS;
  const idle = (f[3] + f[4]) * TICK_MS;
  const u = process.cpuUsage();
  return { busy: total - idle, total, own: (u.user + u.system) / 1e3 };
}

/** Share (0..1) of the machine's CPU time that other processes used between two snapshots. */
export function otherLoad(a, b) {
  if (a === null || b === null || b.total <= a.total) return NaN;
  const other = b.busy - a.busy - (b.own - a.own);
  return Math.min(1, Math.max(0, other / (b.total - a.total)));
}
