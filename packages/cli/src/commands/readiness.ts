/**
 * `acs-baseline readiness [--resource-id ID] [--days N] [--format text|json] [--plan bicep|arm|az] [--audit-log FILE]…
 * [--audit-log-logger]`:
 * who still lists or regenerates keys, from the Activity Log, before local auth is switched off (read only), with
 * this app's own key refusals from its audit logs.
 * Exit 0: ready or already disabled; 1: not ready; 2: unknown or bad usage (an audit log that cannot be read).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  isBaselineViolationError,
  parseAcsResourceId,
  POSTURE_ENVIRONMENT_VARIABLES,
  postureOptionsFromEnvironment,
} from "acs-baseline/internal";
import type { AppEvidence } from "../estate/appEvidence.js";
import { AuditLogUnreadableError } from "../estate/appEvidence.js";
import type { ReadinessOptions, ReadinessResult } from "../estate/readiness.js";
import { checkDays, checkReadiness, readinessExitCode } from "../estate/readiness.js";
import { renderReadinessPlan } from "../estate/readinessPlan.js";
import type { CliCommand, CliIo } from "../io.js";
import { escapeForTerminal, jsonForTerminal, println, usageError } from "../io.js";

const HELP = `Usage: acs-baseline readiness [--resource-id ID] [--days N] [--format text|json] [--plan bicep|arm|az]
                              [--arm-endpoint URL] [--audit-log FILE|DIR]… [--audit-log-logger]

Reads the resource's disableLocalAuth and the Activity Log of the last N days (1-90, default 30) for listKeys and
regenerateKey, grouped by caller. Verdict: already-disabled, ready, not-ready (callers named) or unknown.
--plan prints the flip and a Deny assignment of fc264132 at the resource group. See docs/readiness.md for what the
evidence cannot show.
--audit-log FILE|DIR (repeatable) adds this app's own evidence: each audit log (or directory of rotated files) is
verified, and the key refusals it recorded in the window (CONNECTION_STRING_REFUSED, KEY_CREDENTIAL_REFUSED,
KEY_AUTH_BLOCKED) are counted by code and client, from verified records only. They are a warning (code in this app
still tries key auth), as is a log that does not verify; neither changes the verdict or the exit code.
--audit-log-logger: the logs are your pino logger's (or a captured stdout's) output; lines that are not audit records
are skipped, as verify-log --logger does.
Exit 0: ready or already disabled; 1: not ready; 2: unknown or bad usage (an audit log that cannot be read).`;

/** The text section for the app's own evidence: file paths, codes, clients, counts and times only. */
/** Reasons or notes printed per log: a forged log can repeat one per line, so the rest are counted, not printed. */
const MAX_NOTES = 10;

/** At most {@link MAX_NOTES} of `notes`, each with `prefix`, then how many more there are. */
function someNotes(notes: readonly string[], prefix: string): string[] {
  const shown = notes.slice(0, MAX_NOTES).map((note) => `    ${prefix}${note}`);
  if (notes.length > MAX_NOTES) shown.push(`    … and ${notes.length - MAX_NOTES} more (verify-log prints them all)`);
  return shown;
}

function evidenceText(evidence: AppEvidence): string[] {
  const lines = ["", "This app's audit logs:"];
  for (const log of evidence.logs) {
    lines.push(
      log.verdict === "intact"
        ? `  ${log.file}: intact (${log.records} records)`
        : log.verdict === "tampered"
          ? `  warning: ${log.file}: TAMPERED, not vouched for beyond its first ${log.records} records`
          : `  warning: ${log.file}: INCOMPLETE (${log.records} records verified)`,
    );
    lines.push(...someNotes(log.reasons, ""), ...someNotes(log.warnings, "note: "));
  }
  if (evidence.keyRefusals.length === 0) lines.push("  no key refusals recorded in the window");
  else lines.push("  warning: code in this app still tries key auth (refused by acs-baseline, so no key reached ACS):");
  for (const r of evidence.keyRefusals)
    lines.push(
      `    ${r.code}${r.client !== undefined ? ` (${r.client})` : ""}: ${r.count} refusal${r.count === 1 ? "" : "s"}, ${r.first} .. ${r.last}`,
    );
  return lines;
}

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
  if (result.appEvidence !== undefined) lines.push(...evidenceText(result.appEvidence));
  return lines.map(escapeForTerminal).join("\n");
}

type ReadinessFlags = {
  "resource-id"?: string;
  days?: string;
  format?: string;
  plan?: string;
  "arm-endpoint"?: string;
  "audit-log"?: string[];
  "audit-log-logger"?: boolean;
  help?: boolean;
};

/** The flags, or the usage error to print. */
function parseFlags(args: string[]): ReadinessFlags | { error: string; help: true } {
  try {
    return parseArgs({
      args,
      options: {
        "resource-id": { type: "string" },
        days: { type: "string" },
        format: { type: "string", default: "text" },
        plan: { type: "string" },
        "arm-endpoint": { type: "string" },
        "audit-log": { type: "string", multiple: true },
        "audit-log-logger": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    return { error: (error as Error).message, help: true };
  }
}

/** `checkReadiness`'s options from the flags and the environment, or the usage error to print. */
function readinessOptions(
  v: ReadinessFlags,
  io: CliIo,
  extra: Partial<ReadinessOptions>,
): ReadinessOptions | { error: string } {
  if (v.format !== "text" && v.format !== "json") return { error: `--format must be text or json, not "${v.format}"` };
  if (v.plan !== undefined && !["bicep", "arm", "az"].includes(v.plan))
    return { error: `--plan must be bicep, arm or az, not "${v.plan}"` };
  const days = v.days === undefined ? undefined : /^\d{1,3}$/.test(v.days) ? Number(v.days) : Number.NaN;
  try {
    checkDays(days);
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (v["audit-log-logger"] === true && v["audit-log"] === undefined)
    return { error: "--audit-log-logger applies only with --audit-log" };
  const fromEnv = postureOptionsFromEnvironment(io.env);
  const resourceId = v["resource-id"] ?? fromEnv.resourceId;
  if (resourceId === undefined)
    return { error: `no resource id: pass --resource-id or set ${POSTURE_ENVIRONMENT_VARIABLES.resourceId}` };
  return {
    ...fromEnv,
    ...extra,
    resourceId,
    ...(days !== undefined ? { days } : {}),
    ...(v["arm-endpoint"] !== undefined ? { armEndpoint: v["arm-endpoint"] } : {}),
    // Resolved against the command's working directory; printed as given (see asGiven).
    ...(v["audit-log"] !== undefined ? { auditLogs: v["audit-log"].map((f) => resolve(io.cwd, f)) } : {}),
    ...(v["audit-log-logger"] === true ? { auditLogLoggerMode: true } : {}),
  };
}

/** The result with each audit log named as the user gave it (the command resolved it against its cwd). */
function asGiven(result: ReadinessResult, given: readonly string[]): ReadinessResult {
  const evidence = result.appEvidence;
  if (evidence === undefined) return result;
  const logs = evidence.logs.map((log, i) => ({ ...log, file: given[i] ?? log.file }));
  return { ...result, appEvidence: { ...evidence, logs } };
}

/** The command, with `extra` options merged in (tests pass `clientOptions`). */
export function createReadinessCommand(extra: Partial<ReadinessOptions> = {}): CliCommand {
  return async (args, io) => {
    const usage = (message: string, help?: string): number => usageError(io, "readiness", message, help);
    const v = parseFlags(args);
    if ("error" in v) return usage(v.error, HELP);
    if (v.help === true) {
      println(io.stdout, HELP);
      return 0;
    }
    const options = readinessOptions(v, io, extra);
    if ("error" in options) return usage(options.error);
    const given = v["audit-log"] ?? [];
    let result: ReadinessResult;
    try {
      result = asGiven(await checkReadiness(options), given);
    } catch (error) {
      if (error instanceof AuditLogUnreadableError) {
        const file = given[options.auditLogs?.indexOf(error.file) ?? -1] ?? error.file;
        return usage(`cannot read the audit log ${file} (${error.code})`);
      }
      if (isBaselineViolationError(error) || error instanceof TypeError || error instanceof RangeError)
        return usage(error.message);
      throw error;
    }
    println(io.stdout, v.format === "json" ? jsonForTerminal(result) : text(result));
    if (v.plan !== undefined) {
      const plan = renderReadinessPlan(parseAcsResourceId(result.resourceId), v.plan as "bicep" | "arm" | "az");
      println(v.format === "text" ? io.stdout : io.stderr, `\n${plan.split("\n").map(escapeForTerminal).join("\n")}`);
    }
    return readinessExitCode(result);
  };
}

export const readinessCommand: CliCommand = createReadinessCommand();
