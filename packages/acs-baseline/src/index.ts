/**
 * acs-baseline: the Azure security baseline for Azure Communication Services, in code.
 *
 * @packageDocumentation
 */
export {
  BaselineViolationError,
  baselineControlForCode,
  isBaselineViolationError,
  type BaselineViolationCode,
  type BaselineControlId,
} from "./errors.js";
// Each concern exports its public surface from its own index (owned by that folder).
export * from "./clients/index.js";
export * from "./audit/index.js";
export * from "./baseline/index.js";
export * from "./posture/index.js";
