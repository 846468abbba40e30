/**
 * `acs-baseline readiness [--resource-id ID] [--days N] [--format text|json] [--plan bicep|arm|az]`: who still lists
 * or regenerates keys, from the Activity Log, before local auth is switched off (read only).
 * Exit 0: ready or already disabled; 1: not ready; 2: unknown or bad usage.
 */
import { parseArgs } from "node:util";
import {
  isBaselineViolationError,
  parseAcsResourceId,
  POSTURE_ENVIRONMENT_VARIABLES,
  postureOptionsFromEnvironment,
} from "acs-baseline/internal";
import type { ReadinessOptions, ReadinessResult } from "../estate/readiness.js";
import { checkDays, checkReadiness, readinessExitCode } from "../estate/readiness.js";
import { renderReadinessPlan } from "../estate/readinessPlan.js";
import type { CliCommand } from "../io.js";
import { EXIT_USAGE, escapeForTerminal, println } from "../io.js";

const HELP = `Usage: acs-baseline readiness [--resource-id ID] [--days N] [--format text|json] [--plan bicep|arm|az]
                              [--arm-endpoint URL]

Reads the resource's disableLocalAuth and the Activity Log of the last N days (1-90, default 30) for listKeys and
regenerateKey, grouped by caller. Verdict: already-disabled, ready, not-ready (callers named) or unknown.
--plan prints the flip and a Deny assignment of fc264132 at the resource group. See docs/readiness.md for what the
evidence cannot show.
Exit 0: ready or already disabled; 1: not ready; 2: unknown or bad usage.`;

function text(result: ReadinessResult): string {
  const lines = [
    `${result.verdict.toUpperCase()}: ${result.resourceId}`,
    `local auth ${result.localAuth}; window ${result.window.from} .. ${result.window.to}`,
  ];
  if (result.reason !== undefined) lines.push(`unknown because ${result.reason}`);
  for (const k of result.keyAccess)
    lines.push(
      `${k.operation} by ${k.caller}${k.appId !== undefined ? ` (appid ${k.appId})` : ""}${k.objectId !== undefined ? ` (object id ${k.objectId})` : ""}: ${k.count} call${k.count === 1 ? "" : "s"}, ${k.first} .. ${k.last}`,
    );
  if (result.verdict === "ready")
    lines.push(
      "Nobody listed or regenerated keys in the window. Rotate both keys one window before the flip (docs/readiness.md).",
    );
  return lines.map(escapeForTerminal).join("\n");
}

/** The command, with `extra` options merged in (tests pass `clientOptions`). */
export function createReadinessCommand(extra: Partial<ReadinessOptions> = {}): CliCommand {
  return async (args, io) => {
    const usage = (message: string): number => {
      println(io.stderr, escapeForTerminal(`acs-baseline readiness: ${message}`));
      return EXIT_USAGE;
    };
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          "resource-id": { type: "string" },
          days: { type: "string" },
          format: { type: "string", default: "text" },
          plan: { type: "string" },
          "arm-endpoint": { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (error) {
      return usage(`${(error as Error).message}\n\n${HELP}`);
    }
    const v = parsed.values;
    if (v.help === true) {
      println(io.stdout, HELP);
      return 0;
    }
    if (v.format !== "text" && v.format !== "json") return usage(`--format must be text or json, not "${v.format}"`);
    if (v.plan !== undefined && !["bicep", "arm", "az"].includes(v.plan))
      return usage(`--plan must be bicep, arm or az, not "${v.plan}"`);
    const days = v.days === undefined ? undefined : /^\d{1,3}$/.test(v.days) ? Number(v.days) : Number.NaN;
    try {
      checkDays(days);
    } catch (error) {
      return usage((error as Error).message);
    }
    const fromEnv = postureOptionsFromEnvironment(io.env);
    const resourceId = v["resource-id"] ?? fromEnv.resourceId;
    if (resourceId === undefined)
      return usage(`no resource id: pass --resource-id or set ${POSTURE_ENVIRONMENT_VARIABLES.resourceId}`);
    let result: ReadinessResult;
    try {
      result = await checkReadiness({
        ...fromEnv,
        ...extra,
        resourceId,
        ...(days !== undefined ? { days } : {}),
        ...(v["arm-endpoint"] !== undefined ? { armEndpoint: v["arm-endpoint"] } : {}),
      });
    } catch (error) {
      if (isBaselineViolationError(error) || error instanceof TypeError || error instanceof RangeError)
        return usage(error.message);
      throw error;
    }
    println(io.stdout, v.format === "json" ? JSON.stringify(result, null, 2) : text(result));
    if (v.plan !== undefined) {
      const plan = renderReadinessPlan(parseAcsResourceId(result.resourceId), v.plan as "bicep" | "arm" | "az");
      println(v.format === "text" ? io.stdout : io.stderr, `\n${plan.split("\n").map(escapeForTerminal).join("\n")}`);
    }
    return readinessExitCode(result);
  };
}

export const readinessCommand: CliCommand = createReadinessCommand();
