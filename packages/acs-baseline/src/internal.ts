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
export * from "./audit/verify/verifyLog.js";
export * from "./baseline/renderBaseline.js";
export * from "./guard/authority.js";
export * from "./credentials/federatedToken.js";
export { loadPublicKey } from "./audit/record/checkpointSignature.js";
export { credentialFromEnvironment } from "./credentials/environmentCredential.js";
export { checkAnchorUrl, openAnchorStream, readAnchorLines } from "./audit/write/anchor/readBlobAnchor.js";
export { DEFAULT_STORAGE_HOSTS } from "./audit/write/anchor/containerUrl.js";
export { TLS_REJECT_UNAUTHORIZED_VARIABLE, environmentReason } from "./guard/tlsVerification.js";
export { streamAnchorFile } from "./audit/verify/readAnchorFile.js";
export { anchorLinesOf } from "./audit/verify/lineReader.js";
