/** The emulator's ARM plane, as the rest of the emulator uses it: state, request handler and seeding API. */
export { createArmState } from "./state.js";
export { handleArm, type Outcome } from "./router.js";
export { createEmulatorArm } from "./seeding.js";
export { ACS_LOG_CATEGORIES, checkDiagnosticSetting } from "./insights.js";
export type {
  ArmState,
  AssignRoleOptions,
  DefineRoleOptions,
  EmulatorAcsResource,
  EmulatorArm,
  EmulatorDiagnosticSetting,
  EmulatorEstate,
  EmulatorRoleAssignment,
} from "./types.js";
export { BUILT_IN_ROLE_IDS, type EmulatorRoleDefinition, type EmulatorRolePermission } from "./roles.js";
export {
  LOCAL_AUTH_AUDIT_DENY,
  LOCAL_AUTH_MODIFY,
  type EstateActivityEvent,
  type EstatePolicyAssignment,
  type EstateExemptionNarrowing,
  type EstatePolicyExemption,
  type EstatePolicySetDefinition,
  type EstateResource,
  type EstateSubscription,
} from "./estate.js";
