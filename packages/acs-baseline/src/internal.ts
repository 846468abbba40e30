/**
 * `acs-baseline/internal`: what acs-baseline's own tools (`acs-baseline-cli`, `eslint-plugin-acs-baseline`) take
 * from the runtime library, so that the configuration reader, endpoint and authority rules, certificate checks and
 * log verification exist once. Every name is listed here and reviewed in `review/acs-baseline-internal.api.md`.
 * Not a public API: no compatibility promise between versions. The tools depend on the exact same version.
 *
 * @packageDocumentation
 */

// Public names the tools use (the same values as the public entry).
export {
  ACS_TOKEN_SCOPE,
  AcsClientFactory,
  DEFAULT_ALLOWED_HOSTS,
  DEFAULT_TIMEOUT_MS,
  ENVIRONMENT_VARIABLES,
  POSTURE_CLIENT_TYPES,
  POSTURE_ENVIRONMENT_VARIABLES,
  checkPosture,
  escapeForTerminal,
  isBaselineViolationError,
  parseClientTypes,
  postureOptionsFromEnvironment,
  readEnvironment,
  renderBaselineJson,
  renderBaselineMarkdown,
  renderPosturePlan,
  verifyLog,
  type AcsClientConstructor,
  type AcsClientFactoryOptions,
  type ChatClientLike,
  type ChatUser,
  type CreateChatClientOptions,
  type AuditLogProblem,
  type AuditLogProblemKind,
  type AuditOptions,
  type AuditSigningOptions,
  type BaselineControlStatus,
  type BaselineFeature,
  type BaselineViolationCode,
  type CertificateOption,
  DEFAULT_AUTHORITY_HOST,
  type FactoryPostureOptions,
  MICROSOFT_AUTHORITY_HOSTS,
  type BaselineControl,
  type BaselineControlId,
  BaselineViolationError,
  baselineControlForCode,
  type CheckPostureOptions,
  type CredentialType,
  type EnvironmentConfiguration,
  type PlanOptions,
  type PostureCheck,
  type PostureClientType,
  type PlanFormat,
  type PostureCheckId,
  type PostureResult,
  type PostureStatus,
  type VerifyLogOptions,
  type VerifyLogResult,
} from "./index.js";

// doctor: the factory's own checks, run one by one.
export { environmentRefusals, type EnvironmentRefusals } from "./clients/environmentRefusals.js";
export { validateEndpoint, type EndpointSource, type ValidatedEndpoint } from "./guard/endpoint.js";
export { validateAuthorityHost, type ValidatedAuthority } from "./guard/authority.js";
export { TLS_REJECT_UNAUTHORIZED_VARIABLE, environmentReason } from "./guard/tlsVerification.js";
export {
  loadCertificate,
  type CertificateSource,
  type FileSignature,
  type LoadedCertificate,
} from "./credentials/certificate.js";
export { inspectFederatedTokenFile, type FederatedTokenInfo } from "./credentials/federatedToken.js";

// verify-log: the public key, and the blob anchor read with an Entra credential from the environment.
export { loadPublicKey } from "./audit/record/checkpointSignature.js";
export { credentialFromEnvironment } from "./credentials/environmentCredential.js";
export {
  checkAnchorUrl,
  openAnchorStream,
  readAnchorLines,
  type ReadAnchorOptions,
} from "./audit/write/anchor/readBlobAnchor.js";
export { DEFAULT_STORAGE_HOSTS } from "./audit/write/anchor/containerUrl.js";
// The CLI's estate tools (sweep, readiness) reuse posture's ARM session and role evaluation.
export { openArmSession, type ArmSession, type ArmSessionOptions } from "./posture/armSession.js";
export { ACS_ACTIONS, actionMatches, grants, type RolePermission } from "./posture/roleActions.js";
export { describeArmError, readCommunicationResource } from "./posture/readArm.js";
export { armRequestPolicies } from "./posture/armRequestLimits.js";
export { tokenClaims } from "./posture/checkPosture.js";
export { describeTokenError } from "./posture/tokenError.js";
export { parseAcsResourceId, type AcsResourceId } from "./posture/resourceId.js";
export { snapshotOptions } from "./guard/optionSnapshot.js";
export { streamAnchorFile } from "./audit/verify/readAnchorFile.js";
export { anchorLinesOf } from "./audit/verify/lineReader.js";
