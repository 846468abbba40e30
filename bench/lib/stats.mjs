// Small statistics helpers for the benchmarks (no timing assertions anywhere: numbers are reported, not tested).

/** Value at quantile q (0..1) of an unsorted list, nearest-rank. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => quantile(values, 0.5);

/** Formats a ratio with 3 decimals. */
export const ratio = (value, base) => (base > 0 ? value / base : NaN);
export const fmt = (n, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** Renders rows as a Markdown table. */
export function table(header, rows) {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}
