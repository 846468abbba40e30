/** The options of `checkPosture` (its own file, so the ARM session and posture share them without a cycle). */
import type { AcsClientFactoryOptions } from "../clients/factoryOptions.js";
import type { PostureClientType } from "./types.js";

/**
 * Options of `checkPosture`: the resource, where ARM is, and the same Entra configuration as the factory.
 * @public
 */
export interface CheckPostureOptions
  // The factory's Entra options, with the factory's meaning and rules (one definition: AcsClientFactoryOptions).
  extends Pick<
    AcsClientFactoryOptions,
    | "tenantId"
    | "clientId"
    | "certificate"
    | "clientSecret"
    | "allowSecretFallback"
    | "credential"
    | "workloadIdentity"
    | "managedIdentity"
    | "authorityHost"
    | "allowedAuthorityHosts"
    | "disableInstanceDiscovery"
    | "sendCertificateChain"
    | "clientOptions"
    | "allowCustomHttpClient"
  > {
  /** `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Communication/communicationServices/{n}` */
  resourceId: string;
  /** ARM endpoint, https only. Default `https://management.azure.com`; the token scope is `{armEndpoint}/.default`. */
  armEndpoint?: string;
  /** The ACS endpoint the app uses: adds the `endpoint-matches` check. */
  endpoint?: string;
  /** ACS client types the app uses (log categories and the custom role follow from them). Default `["sms", "identity"]` for the role, none for log categories. */
  clients?: PostureClientType[];
  /** Allowed data locations (e.g. `["United States", "Europe"]`): adds the `data-location` check. */
  dataLocations?: string[];
  /** Bound for the whole check in milliseconds (default 30000); what did not answer by then is `unknown`. */
  timeoutMs?: number;
}
