/**
 * `acs-baseline verify-log FILE [--json]`: verifies the hash chain of an audit log.
 * Exit 0: intact (with a warning when the tail cannot be vouched for); 1: tampered; 2: bad usage or unreadable file.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { verifyLog } from "acs-baseline/internal";
import type { CliCommand } from "./io.js";
import { EXIT_USAGE, println } from "./io.js";

const USAGE = `Usage: acs-baseline verify-log FILE [--json]

Verifies the hash chain of an acs-baseline audit log (JSON lines, schema acs-baseline.audit/1).
  exit 0  intact ("intact: N records"; a warning when the log does not end with log.close)
  exit 1  a record was edited, removed, inserted or reordered (the first bad record is named)
  exit 2  bad usage or unreadable file
Options:
  --json  print the result as JSON
  -h, --help`;

export const verifyLogCommand: CliCommand = async (args, io) => {
  let values: { json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (e) {
    println(io.stderr, `acs-baseline verify-log: ${(e as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help === true) {
    println(io.stdout, USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    println(io.stderr, `acs-baseline verify-log: expected exactly one FILE\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const file = positionals[0];
  const path = resolve(io.cwd, file);
  let result;
  try {
    result = await verifyLog(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    println(io.stderr, `acs-baseline verify-log: cannot read ${file} (${code})`);
    return EXIT_USAGE;
  }
  if (values.json === true) {
    println(io.stdout, JSON.stringify({ file, ...result }, null, 2));
    return result.intact ? 0 : 1;
  }
  if (!result.intact && result.problem !== undefined) {
    const p = result.problem;
    println(
      io.stdout,
      `TAMPERED: line ${p.line}${p.seq === undefined ? "" : ` (seq ${p.seq})`}: ${p.kind}: ${p.message}`,
    );
    println(io.stdout, `the ${result.records} records before it verify (seq ${result.firstSeq ?? "-"}..${result.lastSeq ?? "-"})`);
    return 1;
  }
  const range = result.records > 0 ? ` (seq ${result.firstSeq}..${result.lastSeq}${result.closed ? ", closed" : ""})` : "";
  println(io.stdout, `intact: ${result.records} records${range}`);
  for (const w of result.warnings) println(io.stdout, `warning: ${w}`);
  return 0;
};
