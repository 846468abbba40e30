/**
 * Microsoft.Communication: the emulated communicationServices resource (GET, PATCH, listKeys, regenerateKey), in
 * the REST shapes of the api-versions the SDK uses. `disableLocalAuth` exists from api-version 2025-05-01 on.
 */
import { randomBytes } from "node:crypto";
import { recordKeyOperation } from "./activityLog.js";
import type { ArmRequest, Outcome } from "./request.js";
import { authorize, deny, fail, methodNotAllowed, ok, propertiesOf } from "./request.js";
import { lower } from "./state.js";
import type { ArmState, EmulatorAcsResource } from "./types.js";

const RESOURCE_PROVIDER_PATH = "/providers/microsoft.communication/communicationservices/";
const MIN_LOCAL_AUTH_API_VERSION = "2025-05-01";
const READ = "Microsoft.Communication/communicationServices/read";
const WRITE = "Microsoft.Communication/communicationServices/write";
const LIST_KEYS = "Microsoft.Communication/communicationServices/listKeys/action";
const REGENERATE_KEY = "Microsoft.Communication/communicationServices/regenerateKey/action";

function resourceJson(state: ArmState, apiVersion: string): Record<string, unknown> {
  const r = state.resource;
  const properties: Record<string, unknown> = {
    provisioningState: "Succeeded",
    hostName: r.hostName,
    dataLocation: r.dataLocation,
    version: "0.2.0",
    immutableResourceId: state.immutableResourceId,
    linkedDomains: [...r.linkedDomains],
    publicNetworkAccess: r.publicNetworkAccess,
  };
  // disableLocalAuth exists from api-version 2025-05-01 on; older versions neither return nor accept it.
  if (apiVersion >= MIN_LOCAL_AUTH_API_VERSION) properties.disableLocalAuth = r.disableLocalAuth;
  return {
    id: r.id,
    name: r.name,
    type: "Microsoft.Communication/CommunicationServices",
    location: "global",
    tags: { ...r.tags },
    identity:
      r.identityType === "None"
        ? { type: "None" }
        : { type: r.identityType, principalId: state.immutableResourceId, tenantId: state.tenantId },
    properties,
  };
}

function keysJson(state: ArmState): Record<string, string> {
  const endpoint = `${state.acsEndpoint()}/`;
  return {
    primaryKey: state.keys.primary,
    secondaryKey: state.keys.secondary,
    primaryConnectionString: `endpoint=${endpoint};accesskey=${state.keys.primary}`,
    secondaryConnectionString: `endpoint=${endpoint};accesskey=${state.keys.secondary}`,
  };
}

const IDENTITY_TYPES: readonly EmulatorAcsResource["identityType"][] = [
  "None",
  "SystemAssigned",
  "UserAssigned",
  "SystemAssigned,UserAssigned",
];

/** Applies a PATCH body to the resource; returns an error message for an invalid body. */
function patchResource(state: ArmState, patch: Record<string, unknown>, version: string): string | undefined {
  const properties = propertiesOf(patch);
  const r = state.resource;
  if (properties.disableLocalAuth !== undefined && version >= MIN_LOCAL_AUTH_API_VERSION) {
    if (typeof properties.disableLocalAuth !== "boolean") return "properties.disableLocalAuth must be a boolean.";
    r.disableLocalAuth = properties.disableLocalAuth;
  }
  if (properties.publicNetworkAccess !== undefined) {
    if (
      typeof properties.publicNetworkAccess !== "string" ||
      !["Enabled", "Disabled", "SecuredByPerimeter"].includes(properties.publicNetworkAccess)
    )
      return "properties.publicNetworkAccess must be Enabled, Disabled or SecuredByPerimeter.";
    r.publicNetworkAccess = properties.publicNetworkAccess as EmulatorAcsResource["publicNetworkAccess"];
  }
  if (Array.isArray(properties.linkedDomains)) r.linkedDomains = properties.linkedDomains.map(String);
  if (typeof patch.tags === "object" && patch.tags !== null)
    r.tags = Object.fromEntries(Object.entries(patch.tags).map(([k, v]) => [k, String(v)]));
  if (typeof patch.identity === "object" && patch.identity !== null) {
    const raw = (patch.identity as Record<string, unknown>).type;
    // ARM enums are case-insensitive: "systemassigned" is SystemAssigned (stored in the spec's casing).
    const given = typeof raw === "string" ? raw.replace(/\s+/g, "").toLowerCase() : "none";
    const type = IDENTITY_TYPES.find((t) => t.toLowerCase() === given);
    if (type === undefined) return "identity.type is not valid.";
    r.identityType = type;
  }
  return undefined;
}

/** Matches the emulated resource, its listKeys and its regenerateKey, or any other communicationServices path. */
export function matchCommunication(r: ArmRequest): boolean {
  const rid = lower(r.state.resource.id);
  if (r.lpath === rid || r.lpath === `${rid}/listkeys` || r.lpath === `${rid}/regeneratekey`) return true;
  return (
    r.lpath.startsWith(`/subscriptions/${lower(r.state.subscriptionId)}/resourcegroups/`) &&
    r.lpath.includes(RESOURCE_PROVIDER_PATH)
  );
}

/** Handles a request {@link matchCommunication} accepted. */
export function handleCommunication(r: ArmRequest): Outcome {
  const { state, method, lpath, path } = r;
  const rid = lower(state.resource.id);
  if (lpath !== rid && lpath !== `${rid}/listkeys` && lpath !== `${rid}/regeneratekey`) {
    const name = path.split("/").pop()?.slice(0, 64) ?? "";
    const group = path.split("/")[4] ?? "";
    return fail(
      r,
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.Communication/communicationServices/${name}' under resource group '${group}' was not found.`,
    );
  }
  const scope = state.resource.id;
  if (lpath === rid && method === "GET") {
    if (!authorize(r, READ, scope)) return deny(r, READ, scope);
    return ok(r, 200, resourceJson(state, r.apiVersion));
  }
  if (lpath === rid && method === "PATCH") {
    if (!authorize(r, WRITE, scope)) return deny(r, WRITE, scope);
    const error = patchResource(state, r.body, r.apiVersion);
    if (error !== undefined) return fail(r, 400, "InvalidRequestContent", error);
    return ok(r, 200, resourceJson(state, r.apiVersion));
  }
  if (lpath.endsWith("/listkeys") && method === "POST") {
    if (!authorize(r, LIST_KEYS, scope)) return deny(r, LIST_KEYS, scope);
    recordKeyOperation(r, scope, "Microsoft.Communication/CommunicationServices/ListKeys/action");
    return ok(r, 200, keysJson(state));
  }
  if (lpath.endsWith("/regeneratekey") && method === "POST") {
    if (!authorize(r, REGENERATE_KEY, scope)) return deny(r, REGENERATE_KEY, scope);
    const keyType = typeof r.body.keyType === "string" ? lower(r.body.keyType) : "";
    if (keyType !== "primary" && keyType !== "secondary")
      return fail(r, 400, "InvalidRequestContent", "keyType must be 'Primary' or 'Secondary'.");
    state.keys[keyType] = randomBytes(64).toString("base64");
    recordKeyOperation(r, scope, "Microsoft.Communication/CommunicationServices/RegenerateKey/action");
    return ok(r, 200, keysJson(state));
  }
  return methodNotAllowed(r, " on this resource");
}
