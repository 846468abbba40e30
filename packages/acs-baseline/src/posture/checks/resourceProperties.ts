/** `managed-identity` (informational) and `data-location` (an allow-list): resource properties. */
import type { CommunicationServiceResource } from "@azure/arm-communication";
import type { Read } from "../readArm.js";
import type { PostureCheck } from "../types.js";

/** Informational (Azure Policy bcff6755): whether the resource has a managed identity. Warn only. */
export function checkManagedIdentity(resource: Read<CommunicationServiceResource>): PostureCheck {
  const base = {
    id: "managed-identity",
    control: "IM-3",
    title: "The resource has a managed identity (informational, Azure Policy bcff6755)",
  } as const;
  const remediation =
    "Enable a system-assigned or user-assigned managed identity on the resource (needed for features that reach other Azure resources, e.g. bring-your-own storage).";
  if (!resource.ok)
    return { ...base, status: "unknown", evidence: `The resource could not be read: ${resource.reason}.`, remediation };
  // ARM enums are case-insensitive: "none" and "NONE" are no identity either.
  const type = resource.value.identity?.type ?? "None";
  if (type.trim() !== "" && type.trim().toLowerCase() !== "none")
    return { ...base, status: "pass", evidence: `Managed identity: ${type}.`, remediation: "" };
  return { ...base, status: "warn", evidence: "The resource has no managed identity.", remediation };
}

/** The resource's data location must be on the allow-list. */
export function checkDataLocation(
  resource: Read<CommunicationServiceResource>,
  allowed: readonly string[],
): PostureCheck {
  const base = {
    id: "data-location",
    control: null,
    title: `Data is stored in an allowed location (${allowed.join(", ")})`,
  } as const;
  const remediation = "The data location cannot be changed: create a resource in an allowed location and move to it.";
  if (!resource.ok)
    return { ...base, status: "unknown", evidence: `The resource could not be read: ${resource.reason}.`, remediation };
  const location = resource.value.dataLocation ?? "";
  if (allowed.some((a) => a.trim().toLowerCase() === location.toLowerCase()))
    return { ...base, status: "pass", evidence: `dataLocation is ${location}.`, remediation: "" };
  return {
    ...base,
    status: "fail",
    evidence: `dataLocation is ${location || "not reported"}, outside the allow-list.`,
    remediation,
  };
}
