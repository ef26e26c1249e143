// The results table: one row per measured case, aligned plain text (or Markdown with --md).
//
//   suite / case | median | min | max | weft/baseline | goal | met
//
// The weft row of a suite carries the goal and whether its median meets it; each baseline row
// carries the ratio weft median / baseline median (below 1: weft is faster).

/** Formats a figure given in `unit` with 3 significant digits, keeping the suite's unit. */
export function fmt(v, unit) {
  if (!Number.isFinite(v)) return "-";
  const d = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(d)} ${unit}`;
}

/** Ratio text, e.g. "0.42x". */
export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "-";
  const r = a / b;
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}x`;
}

/**
 * Rows of strings for every suite's results. A case's `role` is "weft" (carries the goal),
 * "baseline" (carries the ratio weft/baseline) or "info" (a figure for the analysis only).
 */
export function buildRows(results) {
  const rows = [];
  for (const { suite, cases, error } of results) {
    rows.push([`${suite.id}: ${suite.title}`, "", "", "", "", "", ""]);
    if (error) {
      rows.push(["  FAILED", "", "", "", "", "", String(error.message ?? error).slice(0, 80)]);
      continue;
    }
    // A suite may have several weft rows, each with its own `goal` (else the suite's); a
    // baseline's ratio is taken against the weft row named by its `vs` (else the first one).
    const w = cases.find((c) => c.role === "weft");
    for (const c of cases) {
      const s = c.stats;
      const g = c.goal ?? suite.goal;
      const hasGoal = c.role === "weft" && g !== undefined;
      const goal = hasGoal ? `<= ${fmt(g, suite.unit)}` : "";
      const met = hasGoal ? (s.median <= g ? "met" : "NOT MET") : "";
      const ref = c.vs ? cases.find((x) => x.name === c.vs) : w;
      const rat = c.role === "baseline" && ref ? ratio(ref.stats.median, s.median) : "";
      rows.push([`  ${c.name}`, fmt(s.median, suite.unit), fmt(s.min, suite.unit), fmt(s.max, suite.unit), rat, goal, met]);
    }
  }
  return rows;
}

const HEAD = ["suite / case", "median", "min", "max", "weft/base", "goal", "met"];

/** Aligned plain-text table. */
export function renderText(rows) {
  const all = [HEAD, ...rows];
  const width = HEAD.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 || i === 6 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ").trimEnd();
  const rule = width.map((w) => "-".repeat(w)).join("  ");
  return [line(HEAD), rule, ...rows.map(line)].join("\n");
}

/** GitHub Markdown table. */
export function renderMarkdown(rows) {
  const esc = (c) => c.trim().replace(/\|/g, "\\|") || " ";
  const out = [`| ${HEAD.join(" | ")} |`, `|${HEAD.map((_, i) => (i === 0 || i === 6 ? " --- " : " ---: ")).join("|")}|`];
  for (const r of rows) {
    const first = r[0].startsWith("  ") ? r[0].trim() : `**${r[0]}**`;
    out.push(`| ${[first, ...r.slice(1)].map(esc).join(" | ")} |`);
  }
  return out.join("\n");
}
