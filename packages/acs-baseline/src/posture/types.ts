/** The result types of {@link checkPosture}: one check per baseline customer control, and the whole result. */
import type { BaselineControlId } from "../errors.js";

/**
 * Status of one posture check. `unknown` means ARM could not be read (403, unreachable, …): never a pass.
 * @public
 */
export type PostureStatus = "pass" | "fail" | "warn" | "unknown";

/**
 * Ids of the posture checks (docs/posture.md).
 * @public
 */
export type PostureCheckId =
  | "local-auth-disabled"
  | "endpoint-matches"
  | "key-access-principals"
  | "app-principal-least-privilege"
  | "resource-logs"
  | "auth-logs"
  | "managed-identity"
  | "data-location";

/**
 * The ACS client types an application uses; they decide which log categories and which actions it needs.
 * @public
 */
export type PostureClientType =
  | "sms"
  | "identity"
  | "email"
  | "chat"
  | "rooms"
  | "callAutomation"
  | "jobRouter"
  | "phoneNumbers";

/** A principal whose role grants key access (evidence of `key-access-principals`). @public */
export interface KeyAccessPrincipal {
  principalId: string;
  principalType: string;
  roleName: string;
  /** Scope of the role assignment (the resource, its resource group, subscription, management group or `/`). */
  scope: string;
  /** Which of `listKeys/action` and `regenerateKey/action` the role grants. */
  actions: string[];
}

/**
 * One posture check.
 * @public
 */
export interface PostureCheck {
  id: PostureCheckId;
  /** The baseline control it is evidence for (`null` for `data-location`, which is an organisation's own rule). */
  control: BaselineControlId | null;
  status: PostureStatus;
  title: string;
  /** What was read and found (or why it could not be read). Secret-free. */
  evidence: string;
  /** What to do when it does not pass (empty on pass). */
  remediation: string;
  /** Structured evidence: principals with key access, the app's roles, the generated custom role, … */
  details?: Record<string, unknown>;
}

/**
 * Result of {@link checkPosture} (JSON schema `acs-baseline.posture/1`).
 * @public
 */
export interface PostureResult {
  schema: "acs-baseline.posture/1";
  resourceId: string;
  /** ISO-8601 time of the check. */
  checkedAt: string;
  /** Who checked: from the configuration and the ARM token's `tid`/`oid` claims (never the token). */
  principal: { tenantId?: string; clientId?: string; objectId?: string };
  checks: PostureCheck[];
  summary: Record<PostureStatus, number>;
}
