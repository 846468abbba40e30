/** `acs-baseline report [--format md|json]`: the baseline control map. */
import { parseArgs } from "node:util";
import { renderBaselineJson, renderBaselineMarkdown } from "acs-baseline/internal";
import type { CliCommand } from "../io.js";
import { println, usageError } from "../io.js";

const HELP = `Usage: acs-baseline report [--format md|json]

Prints every control of the Azure security baseline for Azure Communication Services, its status in acs-baseline
(enforced, guidance, not-applicable), what acs-baseline does, where, and which test proves it.
Exit codes: 0 printed, 2 bad usage (an unknown flag, a --format other than md or json).`;

export const reportCommand: CliCommand = (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { format: { type: "string", short: "f", default: "md" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    return Promise.resolve(usageError(io, "report", (error as Error).message, HELP));
  }
  if (parsed.values.help === true) {
    println(io.stdout, HELP);
    return Promise.resolve(0);
  }
  const format = parsed.values.format;
  if (format !== "md" && format !== "json") {
    return Promise.resolve(usageError(io, "report", "--format must be md or json", HELP));
  }
  io.stdout.write(format === "json" ? renderBaselineJson() : renderBaselineMarkdown());
  return Promise.resolve(0);
};
