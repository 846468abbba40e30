/**
 * `acs-baseline-emulator`: a local Microsoft Entra ID token endpoint, Azure Communication Services data plane and
 * Azure Resource Manager endpoint for the ACS resource over TLS, for running the upstream SDK, acs-baseline and your
 * own code with no Azure account.
 *
 * @packageDocumentation
 */
export {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type EmulatorStats,
  type TestApplication,
  type TestApplicationOptions,
  type TestWorkloadIdentity,
  type TestWorkloadIdentityOptions,
} from "./startEmulator.js";
export {
  TOKEN_EXCHANGE_AUDIENCE,
  type FederatedCredentialRegistration,
  type TestOidcIssuer,
  type TestOidcTokenOptions,
} from "./federation.js";
export type { ManagedIdentityEndpointOptions, TestManagedIdentity } from "./managedIdentity.js";
export {
  createCertificate,
  certificateThumbprint,
  type CreateCertificateOptions,
  type GeneratedCertificate,
} from "./certificates.js";
export { DATA_PLANE_ROLES, type ApplicationRegistration } from "./applications.js";
export { ACS_SCOPE, STORAGE_SCOPE } from "./entra.js";
export {
  emulatorFactoryOptions,
  emulatorPostureOptions,
  type EmulatorEndpoints,
  type EmulatorFactoryOptions,
  type EmulatorPostureOptions,
} from "./factoryOptions.js";
export type { EmulatorSide, FaultSpec, InjectedFault } from "./faults.js";
export type { EmulatorRequest } from "./requestLog.js";
export type { EmulatorSmsMessage } from "./acs.js";
export {
  ACS_LOG_CATEGORIES,
  type AssignRoleOptions,
  type DefineRoleOptions,
  type EmulatorAcsResource,
  type EmulatorArm,
  type EmulatorDiagnosticSetting,
  type EmulatorEstate,
  type EmulatorRoleAssignment,
  LOCAL_AUTH_AUDIT_DENY,
  LOCAL_AUTH_MODIFY,
  type EstateActivityEvent,
  type EstatePolicyAssignment,
  type EstateExemptionNarrowing,
  type EstatePolicyExemption,
  type EstatePolicySetDefinition,
  type EstateResource,
  type EstateSubscription,
} from "./arm/index.js";
export { BUILT_IN_ROLE_IDS, type EmulatorRoleDefinition, type EmulatorRolePermission } from "./arm/roles.js";
export type {
  EmulatorAcs,
  EmulatorCallConnection,
  EmulatorEmail,
  EmulatorPhoneNumberCapabilities,
  SeedPhoneNumberOptions,
} from "./dataPlane/index.js";
export {
  startEmulatorWithFactory,
  type EmulatorWithFactory,
  type StartEmulatorWithFactoryOptions,
} from "./startEmulatorWithFactory.js";
