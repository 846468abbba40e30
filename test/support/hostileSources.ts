/**
 * Source texts that crash oxc-parser's native parser when parsed in process (measured with oxc-parser 0.158 on an
 * 8 MiB stack: see docs/scan.md, "The parser sandbox"), each naming an ACS package so the scan parses it, and a
 * writer for a tree of them. They are generated, never checked in (each is 12 to 220 KB).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ACS_IMPORT = `import "@azure/communication-sms";\n`;

/** One hostile file: its name (the extension picks the dialect) and its text. */
export interface HostileSource {
  name: string;
  text: string;
}

/** The hostile files: TypeScript generics (SIGSEGV), JSX (SIGSEGV), a long sequence and `a<a<…` (both SIGABRT). */
export const HOSTILE_SOURCES: readonly HostileSource[] = [
  { name: "generics.ts", text: `${ACS_IMPORT}let x: ${"A<{}&".repeat(10_000)}B${">&{}".repeat(10_000)};\n` },
  { name: "elements.jsx", text: `${ACS_IMPORT}let x = ${"<a>{}".repeat(20_000)}</a>${"{}</a>".repeat(19_999)};\n` },
  { name: "sequence.js", text: `${ACS_IMPORT}let f = ${"{},".repeat(40_000)}1;\n` },
  { name: "angles.ts", text: `${ACS_IMPORT}let x = ${"a<".repeat(6_000)};\n` },
];

/** Writes every hostile file into `dir` (made if missing) and returns their names. */
export function writeHostileSources(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  for (const source of HOSTILE_SOURCES) writeFileSync(join(dir, source.name), source.text);
  return HOSTILE_SOURCES.map((source) => source.name);
}
