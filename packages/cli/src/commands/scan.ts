/** `acs-baseline scan [paths…] [--format text|json|sarif] [--output FILE] [--max-file-size BYTES] [--jobs N]` */
import { parseArgs } from "node:util";
import {
  MAX_DEFAULT_SCAN_JOBS,
  MAX_SCAN_JOBS,
  scanPathsInParallel,
  type ScanFinding,
  type ScanResult,
} from "../scan/scan.js";
import { toSarif } from "../scan/sarif.js";
import type { CliCommand, CliIo } from "../io.js";
import { EXIT_USAGE, escapeForTerminal, jsonForTerminal, println, usageError } from "../io.js";
import { writeOutputFile } from "../outputFile.js";
import { CLI_VERSION as VERSION } from "../version.js";

const HELP = `Usage: acs-baseline scan [paths…] [--format text|json|sarif] [--output FILE] [--max-file-size BYTES]
                         [--jobs N]

Finds key-based Azure Communication Services authentication (baseline IM-1): ACS clients built from connection
strings or access keys in JavaScript/TypeScript, Python, C#, Java/Kotlin and Go; shell, PowerShell and pipeline
scripts that fetch the keys; ARM, Bicep and Terraform templates that copy ACS keys into app
settings, containers, Key Vault or outputs, or leave local auth on; ACS keys, connection strings and hand-built
HMAC signing in any text file. Inside a git repository it scans what git lists (tracked files always); elsewhere it
honours .gitignore files. Symlinks, binary files and files over --max-file-size (default 2 MiB; suffixes k, m, g) are
skipped and reported. Keys are masked in all output. A large scan also analyses JavaScript/TypeScript on worker
threads: --jobs N sets the threads (default: one less than the CPU count, at most ${MAX_DEFAULT_SCAN_JOBS}; --jobs 1 uses one;
more than twice the CPU count, at least 4, is lowered to that, with a notice on stderr).

Exit codes: 0 nothing found, 1 findings (parse errors alone do not count), 2 bad usage.`;

function parseSize(value: string): number | undefined {
  const m = /^(\d+)\s*([kKmMgG]?)[bB]?$/.exec(value.trim());
  if (m === null) return undefined;
  const n =
    Number(m[1]) *
    ({ "": 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 } as Record<string, number>)[m[2].toLowerCase()];
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The scan's report in `format` (text, json or sarif). */
function renderScan(result: ScanResult, format: string, problems: readonly ScanFinding[]): string {
  if (format === "json") {
    return jsonForTerminal({
      version: VERSION,
      filesScanned: result.filesScanned,
      filesSkipped: result.filesSkipped,
      skipped: result.skipped,
      findings: result.findings,
    });
  } else if (format === "sarif") {
    return jsonForTerminal(toSarif(result, VERSION));
  } else {
    const lines = result.findings.map(
      (f) =>
        `${escapeForTerminal(f.file)}:${f.line}:${f.column}  ${f.severity}  ${escapeForTerminal(f.message)}  ${f.ruleId}`,
    );
    for (const s of result.skipped)
      lines.push(
        `${escapeForTerminal(s.file)}  skipped  ${s.reason === "too-large" ? "larger than the size limit (--max-file-size)" : s.reason}`,
      );
    const skipped = result.filesSkipped > 0 ? `, ${result.filesSkipped} skipped` : "";
    lines.push(
      problems.length === 0
        ? `✓ no key-based ACS authentication found (${result.filesScanned} files scanned${skipped})`
        : `✗ ${problems.length} finding(s) in ${new Set(problems.map((f) => f.file)).size} file(s) (${result.filesScanned} files scanned${skipped})`,
    );
    return lines.join("\n");
  }
}

/** What `scan`'s arguments ask for. */
interface ScanRequest {
  paths: string[];
  format: string;
  output: string | undefined;
  maxFileBytes: number | undefined;
  jobs: number | undefined;
}

/** The scan the arguments ask for, or the exit code when they ask for help or are wrong (printed here). */
function parseRequest(args: string[], io: CliIo): ScanRequest | number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: "string", short: "f", default: "text" },
        output: { type: "string", short: "o" },
        "max-file-size": { type: "string" },
        jobs: { type: "string", short: "j" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  if (parsed.values.help === true) {
    println(io.stdout, HELP);
    return 0;
  }
  const format = parsed.values.format ?? "text";
  if (!["text", "json", "sarif"].includes(format)) return usage(io, "--format must be text, json or sarif");
  const size = parsed.values["max-file-size"];
  const maxFileBytes = size === undefined ? undefined : parseSize(size);
  if (size !== undefined && maxFileBytes === undefined)
    return usage(io, "--max-file-size must be a positive size in bytes (suffixes k, m, g)");
  const jobsText = parsed.values.jobs;
  const jobs = jobsText !== undefined && /^[1-9]\d{0,1}$/.test(jobsText) ? Number(jobsText) : undefined;
  if (jobsText !== undefined && (jobs === undefined || jobs > MAX_SCAN_JOBS))
    return usage(io, `--jobs must be a whole number from 1 to ${MAX_SCAN_JOBS}`);
  const paths = parsed.positionals.length > 0 ? parsed.positionals : ["."];
  return { paths, format, output: parsed.values.output, maxFileBytes, jobs };
}

function usage(io: CliIo, message: string): number {
  return usageError(io, "scan", message, HELP);
}

export const scanCommand: CliCommand = async (args, io) => {
  const request = parseRequest(args, io);
  if (typeof request === "number") return request;
  let lastProgress = 0;
  let result;
  try {
    result = await scanPathsInParallel(request.paths, {
      cwd: io.cwd,
      maxFileBytes: request.maxFileBytes,
      jobs: request.jobs,
      onNotice: (message) => println(io.stderr, message),
      onProgress: (n) => {
        if (io.stderrIsTTY && n - lastProgress >= 500) {
          lastProgress = n;
          io.stderr.write(`\rscanned ${n} files…`);
        }
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      println(
        io.stderr,
        `acs-baseline scan: no such file or directory: ${escapeForTerminal((error as NodeJS.ErrnoException).path ?? "")}`,
      );
      return EXIT_USAGE;
    }
    throw error;
  }
  if (io.stderrIsTTY && lastProgress > 0) io.stderr.write("\r\x1b[K");
  const problems = result.findings.filter((f) => f.kind !== "parse-error");
  const out = renderScan(result, request.format, problems);
  if (request.output === undefined) println(io.stdout, out);
  else {
    const problem = writeOutputFile(io.cwd, request.output, out);
    if (problem !== undefined) return usageError(io, "scan", problem);
  }
  return problems.length > 0 ? 1 : 0;
};
