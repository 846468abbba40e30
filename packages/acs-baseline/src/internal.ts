/**
 * `acs-baseline/internal`: what acs-baseline's own tools (`acs-baseline-cli`, `eslint-plugin-acs-baseline`) share with
 * the runtime library, so that the connection-string detector, endpoint rules and configuration reader exist once.
 * Not a public API: no compatibility promise between versions. The tools depend on the exact same version.
 *
 * @packageDocumentation
 */
export * from "./index.js";
export * from "./errors.js";
export * from "./guard/connectionString.js";
export * from "./guard/endpoint.js";
export * from "./config/readEnvironment.js";
export * from "./credentials/certificate.js";
export * from "./audit/verifyLog.js";
export * from "./baseline/renderBaseline.js";
export * from "./guard/authority.js";
export * from "./credentials/federatedToken.js";
export { loadPublicKey } from "./audit/signing.js";
export { credentialFromEnvironment } from "./credentials/environmentCredential.js";
export { checkAnchorUrl, readAnchorLines } from "./audit/anchor/readBlobAnchor.js";
export { DEFAULT_STORAGE_HOSTS } from "./audit/anchor/containerUrl.js";
export { TLS_REJECT_UNAUTHORIZED_VARIABLE, environmentReason } from "./guard/tlsVerification.js";
// The CLI's estate tools (sweep, readiness) reuse posture's ARM session and role evaluation.
export { openArmSession, type ArmSession, type ArmSessionOptions } from "./posture/armSession.js";
export { ACS_ACTIONS, actionMatches, grants, type RolePermission } from "./posture/roleActions.js";
export { describeArmError } from "./posture/readArm.js";
export { tokenClaims } from "./posture/checkPosture.js";
export { parseAcsResourceId, type AcsResourceId } from "./posture/resourceId.js";
export { snapshotOptions } from "./guard/optionSnapshot.js";
