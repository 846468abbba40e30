/** `local-auth-disabled` (IM-1) and `endpoint-matches` (DP-3): read from the resource itself. */
import type { CommunicationServiceResource } from "@azure/arm-communication";
import type { Read } from "../readArm.js";
import type { PostureCheck } from "../types.js";

/** IM-1: access keys must be off (`disableLocalAuth === true`). */
export function checkLocalAuth(resource: Read<CommunicationServiceResource>): PostureCheck {
  const base = {
    id: "local-auth-disabled",
    control: "IM-1",
    title: "Local (access-key) authentication is disabled on the resource",
  } as const;
  const remediation =
    "Set properties.disableLocalAuth to true with api-version 2025-05-01 or later (older api-versions cannot set it), then regenerate both access keys. `acs-baseline posture --plan bicep|arm|az` prints the change.";
  if (!resource.ok)
    return { ...base, status: "unknown", evidence: `The resource could not be read: ${resource.reason}.`, remediation };
  const value = resource.value.disableLocalAuth;
  if (value === true)
    return {
      ...base,
      status: "pass",
      evidence: "disableLocalAuth is true: ACS refuses every access-key (HMAC-SHA256) request.",
      remediation: "",
    };
  return {
    ...base,
    status: "fail",
    details: { dataLocation: resource.value.dataLocation ?? "", linkedDomains: resource.value.linkedDomains ?? [] },
    evidence:
      value === false
        ? "disableLocalAuth is false: anyone holding an access key or connection string reaches the data plane, past every check acs-baseline makes."
        : "disableLocalAuth is not set on the resource (absent, as with api-versions before 2025-05-01): access keys are accepted.",
    remediation,
  };
}

/** DP-3: the configured endpoint's host must be the resource's host name. */
export function checkEndpoint(resource: Read<CommunicationServiceResource>, endpoint: string): PostureCheck {
  const base = {
    id: "endpoint-matches",
    control: "DP-3",
    title: "The configured endpoint is this resource's host",
  } as const;
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return {
      ...base,
      status: "fail",
      evidence: "The configured endpoint is not a URL.",
      remediation: "Set the endpoint to https://<resource hostName>.",
    };
  }
  const remediation =
    "Point AZURE_COMMUNICATION_ENDPOINT (or the factory's endpoint) at https://<the resource's hostName>, or check the resource id.";
  if (!resource.ok)
    return { ...base, status: "unknown", evidence: `The resource could not be read: ${resource.reason}.`, remediation };
  const hostName = (resource.value.hostName ?? "").toLowerCase().replace(/:\d+$/, "");
  if (hostName.length > 0 && hostName === host)
    return {
      ...base,
      status: "pass",
      evidence: `The endpoint host ${host} is the resource's hostName.`,
      remediation: "",
    };
  return {
    ...base,
    status: "fail",
    evidence: `The endpoint host ${host} is not the resource's hostName (${hostName || "none reported"}).`,
    remediation,
  };
}
