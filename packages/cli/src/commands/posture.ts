/**
 * `acs-baseline posture`: checks the live ACS resource against the baseline's customer controls through the
 * management SDKs (read only), prints text, JSON or SARIF, and optionally a reviewable fix (`--plan`).
 * Exit 0 when no check fails, 1 when one does (`--strict`: also warn and unknown), 2 for bad usage or configuration.
 */
import { parseArgs } from "node:util";
import { isBaselineViolationError, validateEndpoint } from "acs-baseline/internal";
// Only the root package's public API: this command moves to the CLI package (issue 16).
import type { CheckPostureOptions, PlanFormat, PostureResult } from "acs-baseline/internal";
import {
  POSTURE_CLIENT_TYPES,
  POSTURE_ENVIRONMENT_VARIABLES,
  checkPosture,
  parseClientTypes,
  postureOptionsFromEnvironment,
  renderPosturePlan,
} from "acs-baseline/internal";
import type { CliCommand } from "../io.js";
import { escapeForTerminal, jsonForTerminal, println, usageError } from "../io.js";
import { CLI_VERSION as VERSION } from "../version.js";
import { formatPostureSarif, formatPostureText } from "../format/postureFormat.js";
import { ALLOWED_HOST_HELP, ALLOWED_HOST_OPTION, cliEndpointSource, endpointAllowedHosts } from "../allowedHosts.js";

const HELP = `Usage: acs-baseline posture [--resource-id ID] [--arm-endpoint URL] [--format text|json|sarif] [--strict]
                            [--clients sms,identity,…] [--data-location "United States,Europe"]
                            [--plan bicep|arm|az [--workspace-id ID]] [--allowed-host HOST]…

Reads the ACS resource through Azure Resource Manager (never changes it) and checks IM-1 local auth, DP-3 endpoint,
PA-7 key access and the app's own roles, LT-4 resource logs, the managed identity and an optional data-location
allow-list. Credentials as AcsClientFactory.fromEnvironment() reads them (certificate first, secret fallback,
AZURE_AUTHORITY_HOST); the token scope is {arm-endpoint}/.default.
  --resource-id    default ${POSTURE_ENVIRONMENT_VARIABLES.resourceId}
  --arm-endpoint   default ${POSTURE_ENVIRONMENT_VARIABLES.armEndpoint}, else https://management.azure.com (https only)
  --clients        ACS client types the app uses: ${POSTURE_CLIENT_TYPES.join(", ")}
  --plan           print a reviewable fix for every failing check (Bicep, ARM template JSON, or az commands)
AZURE_COMMUNICATION_ENDPOINT, when set, is checked as the factory checks it and adds the endpoint-matches check.
${ALLOWED_HOST_HELP}
Exit 0: no check fails; 1: a check fails (--strict: or warns, or is unknown); 2: bad usage or configuration.`;

/** Exit code for a result: 1 on any fail (with `strict`, also any warn or unknown). */
export function postureExitCode(result: PostureResult, strict: boolean): 0 | 1 {
  const s = result.summary;
  return s.fail > 0 || (strict && (s.warn > 0 || s.unknown > 0)) ? 1 : 0;
}

/** The command's flags (parseArgs options). */
const POSTURE_OPTIONS = {
  "resource-id": { type: "string" },
  "arm-endpoint": { type: "string" },
  format: { type: "string", default: "text" },
  strict: { type: "boolean", default: false },
  clients: { type: "string" },
  "data-location": { type: "string" },
  plan: { type: "string" },
  "workspace-id": { type: "string" },
  ...ALLOWED_HOST_OPTION,
  help: { type: "boolean", short: "h" },
} as const;

/** The usage problem with the flags' values, if any. */
function flagProblem(v: {
  format: string;
  plan?: string | undefined;
  "workspace-id"?: string | undefined;
}): string | undefined {
  if (!["text", "json", "sarif"].includes(v.format)) return `--format must be text, json or sarif, not "${v.format}"`;
  if (v.plan !== undefined && !["bicep", "arm", "az"].includes(v.plan))
    return `--plan must be bicep, arm or az, not "${v.plan}"`;
  const workspace = v["workspace-id"];
  if (
    workspace !== undefined &&
    !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i.test(
      workspace,
    )
  )
    return "--workspace-id must be a Log Analytics workspace resource id (/subscriptions/…/providers/Microsoft.OperationalInsights/workspaces/…)";
  return undefined;
}

/** The command, with `extra` options merged into what the environment and flags give (tests pass `clientOptions`). */
export function createPostureCommand(extra: Partial<CheckPostureOptions> = {}): CliCommand {
  return async (args, io) => {
    let parsed;
    try {
      parsed = parseArgs({ args, options: POSTURE_OPTIONS });
    } catch (error) {
      return usageError(io, "posture", (error as Error).message, HELP);
    }
    const v = parsed.values;
    if (v.help === true) {
      println(io.stdout, HELP);
      return 0;
    }
    const usage = (message: string): number => usageError(io, "posture", message);
    const problem = flagProblem(v);
    if (problem !== undefined) return usage(problem);
    const fromEnv = postureOptionsFromEnvironment(io.env);
    const resourceId = v["resource-id"] ?? fromEnv.resourceId;
    if (resourceId === undefined)
      return usage(`no resource id: pass --resource-id or set ${POSTURE_ENVIRONMENT_VARIABLES.resourceId}`);
    let result: PostureResult;
    try {
      // The endpoint the app would use is refused here exactly as the factory would refuse it.
      if (fromEnv.endpoint !== undefined) {
        validateEndpoint(fromEnv.endpoint, endpointAllowedHosts(io.env, v["allowed-host"]), cliEndpointSource(io.env));
      }
      const clients = v.clients !== undefined ? parseClientTypes(v.clients) : undefined;
      const dataLocations = v["data-location"]
        ?.split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      result = await checkPosture({
        ...fromEnv,
        ...extra,
        resourceId,
        ...(v["arm-endpoint"] !== undefined ? { armEndpoint: v["arm-endpoint"] } : {}),
        ...(clients !== undefined ? { clients } : {}),
        ...(dataLocations !== undefined ? { dataLocations } : {}),
      });
    } catch (error) {
      if (
        isBaselineViolationError(error) ||
        error instanceof TypeError ||
        (error instanceof Error && error.message.startsWith("Posture checks need"))
      ) {
        return usage(error.message);
      }
      throw error;
    }
    if (v.format === "json") println(io.stdout, jsonForTerminal(result));
    else if (v.format === "sarif") println(io.stdout, jsonForTerminal(formatPostureSarif(result, VERSION)));
    else println(io.stdout, formatPostureText(result));
    if (v.plan !== undefined) {
      const plan = renderPosturePlan(result, v.plan as PlanFormat, {
        workspaceId: v["workspace-id"],
        clients: v.clients !== undefined ? parseClientTypes(v.clients) : [],
        armEndpoint: v["arm-endpoint"] ?? fromEnv.armEndpoint,
      });
      // With --format json|sarif the plan goes to stderr, so stdout stays one parseable document.
      println(v.format === "text" ? io.stdout : io.stderr, `\n${plan.split("\n").map(escapeForTerminal).join("\n")}`);
    }
    return postureExitCode(result, v.strict);
  };
}

export const postureCommand: CliCommand = createPostureCommand();
