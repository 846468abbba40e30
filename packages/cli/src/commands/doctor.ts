/**
 * `acs-baseline doctor [--online] [--json] [--allowed-host HOST]… [--allowed-authority-host HOST]…`: checks the configuration exactly as
 * `AcsClientFactory.fromEnvironment()` reads it, using the same functions, and sends nothing unless `--online`.
 */
import { parseArgs } from "node:util";
import { DEFAULT_TIMEOUT_MS, ENVIRONMENT_VARIABLES } from "acs-baseline/internal";
import { POSTURE_ENVIRONMENT_VARIABLES, TLS_REJECT_UNAUTHORIZED_VARIABLE } from "acs-baseline/internal";
import { ALLOWED_AUTHORITY_HOST_OPTION } from "../authorityHosts.js";
import { ALLOWED_HOST_HELP, ALLOWED_HOST_OPTION, endpointAllowedHosts } from "../allowedHosts.js";
import { runDoctor } from "../doctor/runDoctor.js";
import type { CliCommand } from "../io.js";
import { escapeForTerminal, jsonForTerminal, paint, println, usageError } from "../io.js";

export { runDoctor, type DoctorCheck, type DoctorOptions } from "../doctor/runDoctor.js";

const MARK = { pass: "✓", fail: "✗", warn: "!" } as const;
const MARK_STYLE = { pass: "green", fail: "red", warn: "yellow" } as const;
const HELP = `Usage: acs-baseline doctor [--online [--timeout-ms N]] [--json] [--allowed-host HOST]… [--allowed-authority-host HOST]…

Checks the configuration exactly as AcsClientFactory.fromEnvironment() reads it (${Object.values(ENVIRONMENT_VARIABLES).join(", ")}),
shows which credential it would build and why, and checks that ${TLS_REJECT_UNAUTHORIZED_VARIABLE}=0 is not set (it would
switch TLS certificate verification off: the tls verification line fails (✗, exit 1) when it is).
Nothing is sent unless --online, which acquires a Microsoft Entra token and reports the outcome (the token request is
aborted after --timeout-ms, default ${DEFAULT_TIMEOUT_MS}, and doctor exits), and, when
${POSTURE_ENVIRONMENT_VARIABLES.resourceId} is set, checks the resource's posture through ARM (read only; see
\`acs-baseline posture\`; unknown results are warnings).
${ALLOWED_HOST_HELP}
--allowed-authority-host adds hosts to the authority allow-list (besides Microsoft's cloud login hosts and ${ENVIRONMENT_VARIABLES.allowedAuthorityHosts}).
Exit codes: 0 no check fails (warnings (!) do not fail), 1 a check fails (✗), 2 bad usage (an unknown flag, a
--timeout-ms that is not a whole number ≥ 1).`;

export const doctorCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        online: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        ...ALLOWED_HOST_OPTION,
        ...ALLOWED_AUTHORITY_HOST_OPTION,
        "timeout-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usageError(io, "doctor", (error as Error).message, HELP);
  }
  if (parsed.values.help === true) {
    println(io.stdout, HELP);
    return 0;
  }
  const allowedHosts = endpointAllowedHosts(io.env, parsed.values["allowed-host"]);
  const timeoutText = parsed.values["timeout-ms"];
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
  if (!/^\d{1,9}$/.test(timeoutText ?? "0") || timeoutMs < 1) {
    return usageError(io, "doctor", "--timeout-ms takes a whole number of milliseconds ≥ 1", HELP);
  }
  const checks = await runDoctor(io.env, {
    online: parsed.values.online === true,
    allowedHosts,
    allowedAuthorityHosts: parsed.values["allowed-authority-host"] ?? [],
    timeoutMs,
  });
  const ok = !checks.some((c) => c.status === "fail");
  if (parsed.values.json === true) println(io.stdout, jsonForTerminal({ ok, checks }));
  else {
    for (const c of checks)
      println(
        io.stdout,
        `${paint(io, MARK_STYLE[c.status], MARK[c.status])} ${c.control.padEnd(5)} ${c.name}: ${escapeForTerminal(c.message)}`,
      );
    println(io.stdout, ok ? "\nconfiguration ok" : "\nconfiguration has failures (✗)");
  }
  return ok ? 0 : 1;
};
