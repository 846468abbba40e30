/** Parses and validates the ACS resource ID and the ARM endpoint that posture checks read. */

/** A parsed `…/providers/Microsoft.Communication/communicationServices/{name}` resource ID. */
export interface AcsResourceId {
  /** Normalised: `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Communication/communicationServices/{n}`. */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

const RESOURCE_ID =
  /^\/subscriptions\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\/resourceGroups\/([-\w._()]{1,90})\/providers\/Microsoft\.Communication\/communicationServices\/([-\w]{1,63})$/i;

/**
 * Parses an ACS resource ID.
 * @throws TypeError when `value` is not `/subscriptions/{guid}/resourceGroups/{g}/providers/Microsoft.Communication/communicationServices/{n}`.
 */
export function parseAcsResourceId(value: unknown): AcsResourceId {
  const text = typeof value === "string" ? value.trim().replace(/\/+$/, "") : "";
  const m = RESOURCE_ID.exec(text);
  if (m === null || (m[2] ?? "").endsWith(".")) {
    throw new TypeError(
      "The resource ID must be /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Communication/communicationServices/{name} (--resource-id or AZURE_COMMUNICATION_RESOURCE_ID).",
    );
  }
  const [, subscriptionId = "", resourceGroup = "", name = ""] = m;
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Communication/communicationServices/${name}`,
    subscriptionId,
    resourceGroup,
    name,
  };
}

/** Default ARM endpoint (public cloud). @public */
export const DEFAULT_ARM_ENDPOINT = "https://management.azure.com";

/**
 * Validates an ARM endpoint: https only, no user-info, query or fragment; returns its origin (no trailing slash).
 * @throws TypeError for anything else.
 */
export function parseArmEndpoint(value: string | undefined): string {
  if (value === undefined) return DEFAULT_ARM_ENDPOINT;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new TypeError(
      "The ARM endpoint must be an https URL such as https://management.azure.com (--arm-endpoint or AZURE_RESOURCE_MANAGER_ENDPOINT).",
    );
  }
  if (url.protocol !== "https:")
    throw new TypeError("The ARM endpoint must use https (--arm-endpoint or AZURE_RESOURCE_MANAGER_ENDPOINT).");
  if (
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== "" ||
    (url.pathname !== "/" && url.pathname !== "")
  ) {
    throw new TypeError(
      "The ARM endpoint must be an origin only (https://host[:port]), without user-info, path, query or fragment.",
    );
  }
  return url.origin;
}
