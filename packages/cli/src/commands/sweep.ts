/**
 * `acs-baseline sweep [--subscription ID]… [--management-group ID]… [--format text|json|sarif|html] [--output FILE]
 * [--strict] [--arm-endpoint URL]`: every ACS resource through Azure Resource Graph (read only).
 * Exit 0: local auth disabled everywhere; 1: enabled somewhere (--strict: or a resource lacks a deny/modify policy);
 * 2: bad usage, or Resource Graph could not be read at all.
 */
import { parseArgs } from "node:util";
import { isBaselineViolationError, postureOptionsFromEnvironment } from "acs-baseline/internal";
import { GraphReadError } from "../estate/resourceGraph.js";
import type { SweepOptions, SweepResult } from "../estate/sweepEstate.js";
import { sweepEstateWith, sweepExitCode } from "../estate/sweepEstate.js";
import { formatSweepHtml, formatSweepSarif, formatSweepText } from "../estate/sweepFormat.js";
import type { CliCommand } from "../io.js";
import { escapeForTerminal, jsonForTerminal, println, usageError } from "../io.js";
import { writeOutputFile } from "../outputFile.js";
import { CLI_VERSION } from "../version.js";

const HELP = `Usage: acs-baseline sweep [--subscription ID]… [--management-group ID]… [--format text|json|sarif|html]
                          [--output FILE] [--strict] [--arm-endpoint URL]

Lists every Microsoft.Communication/communicationServices resource through Azure Resource Graph (read only): local
auth, the Azure Policy that covers it (fc264132, 145408bc; management groups, initiatives, exemptions) and who can read
or regenerate its keys. No scope: every subscription the caller can read. Credentials as posture reads them.
Exit 0: local auth disabled everywhere; 1: enabled somewhere (--strict: or without a deny/modify policy);
2: bad usage, or Resource Graph could not be read.`;

const FORMATS = ["text", "json", "sarif", "html"];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function render(result: SweepResult, format: string): string {
  if (format === "json") return jsonForTerminal(result);
  if (format === "sarif") return jsonForTerminal(formatSweepSarif(result, CLI_VERSION));
  if (format === "html") return formatSweepHtml(result);
  return formatSweepText(result);
}

/** The command, with `extra` options merged in (tests pass `clientOptions`). */
export function createSweepCommand(extra: Partial<SweepOptions> = {}): CliCommand {
  return async (args, io) => {
    const usage = (message: string, help?: string): number => usageError(io, "sweep", message, help);
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          subscription: { type: "string", multiple: true },
          "management-group": { type: "string", multiple: true },
          format: { type: "string", default: "text" },
          output: { type: "string" },
          strict: { type: "boolean", default: false },
          "arm-endpoint": { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (error) {
      return usage((error as Error).message, HELP);
    }
    const v = parsed.values;
    if (v.help === true) {
      println(io.stdout, HELP);
      return 0;
    }
    if (!FORMATS.includes(v.format)) return usage(`--format must be text, json, sarif or html, not "${v.format}"`);
    const subscriptions = v.subscription ?? [];
    if (subscriptions.some((s) => !GUID.test(s))) return usage("--subscription takes a subscription id (a GUID)");
    const managementGroups = v["management-group"] ?? [];
    if (managementGroups.some((m) => !/^[\w().-]{1,90}$/.test(m)))
      return usage("--management-group takes a management group id");
    const { resourceId: _resource, ...fromEnv } = postureOptionsFromEnvironment(io.env);
    let result: SweepResult;
    try {
      result = await sweepEstateWith(
        {
          ...fromEnv,
          ...extra,
          ...(v["arm-endpoint"] !== undefined ? { armEndpoint: v["arm-endpoint"] } : {}),
          ...(subscriptions.length > 0 ? { subscriptions } : {}),
          ...(managementGroups.length > 0 ? { managementGroups } : {}),
        },
        // Progress (a throttled query waiting) only on an interactive terminal, as every command shows it.
        io.stderrIsTTY
          ? { onProgress: (line) => println(io.stderr, escapeForTerminal(`acs-baseline sweep: ${line}`)) }
          : {},
      );
    } catch (error) {
      if (error instanceof GraphReadError) return usage(`Resource Graph could not be read: ${error.reason}`);
      if (
        isBaselineViolationError(error) ||
        error instanceof TypeError ||
        (error instanceof Error && error.message.includes("optional peer dependency"))
      )
        return usage(error.message);
      throw error;
    }
    const text = render(result, v.format);
    if (v.output === undefined) println(io.stdout, text);
    else {
      const problem = writeOutputFile(io.cwd, v.output, text);
      if (problem !== undefined) return usage(problem);
    }
    return sweepExitCode(result, v.strict);
  };
}

export const sweepCommand: CliCommand = createSweepCommand();
