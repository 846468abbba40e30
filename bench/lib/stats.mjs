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

/** A small deterministic PRNG (mulberry32): the benchmarks shuffle and resample reproducibly. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy (Fisher–Yates). */
export function shuffle(items, random) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Bootstrap 95% interval of the median (percentile method, 1,000 resamples). */
export function bootstrapMedianInterval(values, random, resamples = 1000) {
  if (values.length === 0) return [NaN, NaN];
  const medians = [];
  for (let r = 0; r < resamples; r++) {
    const sample = Array.from({ length: values.length }, () => values[Math.floor(random() * values.length)]);
    medians.push(median(sample));
  }
  return [quantile(medians, 0.025), quantile(medians, 0.975)];
}
