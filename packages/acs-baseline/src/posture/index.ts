/** Resource posture: check the live ACS resource against the baseline's customer controls (docs/posture.md). */
export { checkPosture, DEFAULT_POSTURE_TIMEOUT_MS, type CheckPostureOptions } from "./checkPosture.js";
export { postureOptionsFromEnvironment, POSTURE_ENVIRONMENT_VARIABLES } from "./environment.js";
export { POSTURE_CLIENT_TYPES, parseClientTypes } from "./clientNeeds.js";
export { DEFAULT_ARM_ENDPOINT } from "./resourceId.js";
export type { PostureCustomRole } from "./customRole.js";
export { renderPosturePlan, type PlanFormat, type PlanOptions } from "./plan.js";
export type {
  KeyAccessPrincipal,
  PostureCheck,
  PostureCheckId,
  PostureClientType,
  PostureResult,
  PostureStatus,
} from "./types.js";
