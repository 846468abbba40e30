/** `acs-baseline scan [paths…] [--format text|json|sarif] [--output FILE]` */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { scanPaths } from "./scan/scan.js";
import { toSarif } from "./scan/sarif.js";
import type { CliCommand } from "./io.js";
import { EXIT_USAGE, println } from "./io.js";

const VERSION = "0.1.0";
const HELP = `Usage: acs-baseline scan [paths…] [--format text|json|sarif] [--output FILE]

Finds key-based Azure Communication Services authentication (baseline IM-1): ACS clients built from connection
strings or access keys in JavaScript/TypeScript, and ACS connection strings in any text file (.env, JSON, YAML,
Markdown, …). Skips node_modules, .git and .gitignore'd paths. Keys are masked in all output.

Exit codes: 0 nothing found, 1 findings (parse errors alone do not count), 2 bad usage.`;

export const scanCommand: CliCommand = (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { format: { type: "string", short: "f", default: "text" }, output: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    println(io.stderr, `acs-baseline scan: ${(error as Error).message}\n\n${HELP}`);
    return Promise.resolve(EXIT_USAGE);
  }
  if (parsed.values.help === true) {
    println(io.stdout, HELP);
    return Promise.resolve(0);
  }
  const format = parsed.values.format ?? "text";
  if (!["text", "json", "sarif"].includes(format)) {
    println(io.stderr, `acs-baseline scan: --format must be text, json or sarif\n\n${HELP}`);
    return Promise.resolve(EXIT_USAGE);
  }
  const paths = parsed.positionals.length > 0 ? parsed.positionals : ["."];
  let lastProgress = 0;
  let result;
  try {
    result = scanPaths(paths, {
      cwd: io.cwd,
      onProgress: (n) => {
        if (io.stderrIsTTY && n - lastProgress >= 500) {
          lastProgress = n;
          io.stderr.write(`\rscanned ${n} files…`);
        }
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      println(io.stderr, `acs-baseline scan: no such file or directory: ${(error as NodeJS.ErrnoException).path ?? ""}`);
      return Promise.resolve(EXIT_USAGE);
    }
    throw error;
  }
  if (io.stderrIsTTY && lastProgress > 0) io.stderr.write("\r\x1b[K");
  const problems = result.findings.filter((f) => f.kind !== "parse-error");
  let out: string;
  if (format === "json") {
    out = JSON.stringify({ version: VERSION, filesScanned: result.filesScanned, filesSkipped: result.filesSkipped, findings: result.findings }, null, 2);
  } else if (format === "sarif") {
    out = JSON.stringify(toSarif(result, VERSION), null, 2);
  } else {
    const lines = result.findings.map((f) => `${f.file}:${f.line}:${f.column}  ${f.kind === "parse-error" ? "warning" : "error"}  ${f.message}  ${f.ruleId}`);
    lines.push(
      problems.length === 0
        ? `✓ no key-based ACS authentication found (${result.filesScanned} files scanned${result.filesSkipped > 0 ? `, ${result.filesSkipped} binary or large files skipped` : ""})`
        : `✗ ${problems.length} finding(s) in ${new Set(problems.map((f) => f.file)).size} file(s) (${result.filesScanned} files scanned)`,
    );
    out = lines.join("\n");
  }
  if (parsed.values.output !== undefined) writeFileSync(parsed.values.output, `${out}\n`);
  else println(io.stdout, out);
  return Promise.resolve(problems.length > 0 ? 1 : 0);
};
