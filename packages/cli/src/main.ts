/**
 * `acs-baseline-cli`: the `acs-baseline` command line. {@link runCli} dispatches to one file per command; each command
 * is a thin shell over library functions that tests call directly.
 *
 * @packageDocumentation
 */
export type { CliIo } from "./io.js";
export { runCli, suggestCommand } from "./runCli.js";
export { sweepEstate, type SweepOptions, type SweepResult, type SweptResource } from "./estate/sweepEstate.js";
export type { CoveringAssignment, CoveringExemption, PolicyStatus, ResourcePolicy } from "./estate/policyStatus.js";
export type { KeyReader } from "./estate/keyReaders.js";
export { checkReadiness, type ReadinessOptions, type ReadinessResult, type KeyAccess } from "./estate/readiness.js";
export type { AppEvidence, AuditLogVerdict, KeyRefusal } from "./estate/appEvidence.js";
