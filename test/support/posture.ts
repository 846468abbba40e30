/** Shared set-up for posture tests: an emulator, an app that may read the resource, and options for checkPosture. */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type { CheckPostureOptions } from "../../packages/acs-baseline/src/posture/index.js";
import { beforeAll, beforeEach } from "vitest";
import type { Emulator, EmulatorRoleAssignment, TestApplication } from "../../packages/emulator/src/index.js";
import type { EmulatorWithApp } from "./useEmulator.js";
import { useEmulator } from "./useEmulator.js";

export function postureOptions(
  emu: Emulator,
  app: TestApplication,
  extra: Partial<CheckPostureOptions> = {},
): CheckPostureOptions {
  return {
    resourceId: emu.arm.resourceId,
    armEndpoint: emu.arm.endpoint,
    tenantId: emu.tenantId,
    clientId: app.clientId,
    certificate: { path: app.certificatePath },
    authorityHost: emu.authorityHost,
    allowedAuthorityHosts: [new URL(emu.authorityHost).hostname], // the emulator is not a Microsoft cloud login host
    disableInstanceDiscovery: true,
    clientOptions: { tlsOptions: { ca: emu.caCertificatePem } },
    ...extra,
  };
}

/** Resets the emulated resource to Azure's defaults and removes role assignments made after `keep`. */
export function resetArm(emu: Emulator, keep: readonly EmulatorRoleAssignment[]): void {
  const r = emu.arm.resource;
  r.disableLocalAuth = false;
  r.identityType = "None";
  r.dataLocation = "United States";
  r.hostName = "127.0.0.1";
  emu.arm.clearDiagnosticSettings();
  emu.clearFaults();
  emu.arm.setPageSize(100);
  for (const a of [...emu.arm.roleAssignments]) if (!keep.includes(a)) emu.arm.removeRoleAssignment(a.id);
}

/**
 * {@link useEmulator} for posture tests: the test application holds Reader on the resource (and nothing else), and
 * before each test the resource and its role assignments are reset to Azure's defaults ({@link resetArm}).
 *
 * @param onStarted - called once the emulator and the application are up: sets the test file's `emu` and `app`
 */
export function useReaderEmulator(onStarted: (started: EmulatorWithApp) => void): void {
  let keep: EmulatorRoleAssignment[] = [];
  const state = useEmulator({ onStarted });
  beforeAll(() => {
    keep = [state.emu.arm.assignRole({ principalId: state.app.objectId, role: "Reader", scope: "resource" })];
  });
  beforeEach(() => resetArm(state.emu, keep));
}

/** A TokenCredential that records every scope it is asked for. */
export class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(private readonly inner: TokenCredential) {}
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.scopes.push(...[scopes].flat());
    return this.inner.getToken(scopes, options);
  }
}

export const check = (result: { checks: { id: string }[] }, id: string) => {
  const found = result.checks.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no check ${id}`);
  return found as {
    id: string;
    status: string;
    evidence: string;
    remediation: string;
    details?: Record<string, unknown>;
    control: string | null;
  };
};
