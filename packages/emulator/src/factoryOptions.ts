/**
 * Points an AcsClientFactory (and `checkPosture`) at the emulator: what every test, example and benchmark against it
 * needs. Structural types only: the emulator depends on nothing of the runtime.
 */
import type { Emulator, TestApplication } from "./startEmulator.js";

/**
 * What {@link emulatorFactoryOptions} reads of an emulator: its endpoints, tenant and CA (and its ARM side, for a
 * `posture` option). A started {@link Emulator} is one.
 * @public
 */
export type EmulatorEndpoints = Pick<Emulator, "endpoint" | "tenantId" | "authorityHost" | "caCertificatePem"> & {
  arm?: Pick<Emulator["arm"], "endpoint" | "resourceId">;
};

/**
 * AcsClientFactory options for an emulator and one of its applications: the emulator's endpoint, tenant and
 * authority host (allowed explicitly: `allowedAuthorityHosts: ["localhost"]`), its CA trusted
 * (`clientOptions.tlsOptions.ca`), instance discovery off, `127.0.0.1` allowed as an endpoint host, and the
 * application's certificate. `extra` replaces any of these (top-level members are replaced,
 * not merged: pass the whole `clientOptions` when you change it) and adds others, e.g. `audit`. A `posture` in
 * `extra` gets the emulated resource's id and the emulator's ARM endpoint unless it sets them itself, so
 * `{ posture: { mode: "enforce" } }` is enough.
 *
 * @example
 * ```ts
 * const emu = await startEmulator();
 * const app = await emu.createTestApplication();
 * const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: "audit.log" } }));
 * ```
 * @public
 */
export function emulatorFactoryOptions<TExtra extends object = Record<never, never>>(
  emulator: EmulatorEndpoints,
  application: Pick<TestApplication, "clientId" | "certificatePath">,
  extra?: TExtra,
): EmulatorFactoryOptions & TExtra {
  const posture = (extra as { posture?: unknown } | undefined)?.posture;
  return {
    endpoint: emulator.endpoint,
    tenantId: emulator.tenantId,
    clientId: application.clientId,
    certificate: { path: application.certificatePath },
    authorityHost: emulator.authorityHost,
    allowedAuthorityHosts: [new URL(emulator.authorityHost).hostname],
    disableInstanceDiscovery: true,
    allowedHosts: [new URL(emulator.endpoint).hostname],
    clientOptions: { tlsOptions: { ca: emulator.caCertificatePem } },
    ...extra,
    ...(typeof posture === "object" && posture !== null && emulator.arm !== undefined
      ? { posture: { resourceId: emulator.arm.resourceId, armEndpoint: emulator.arm.endpoint, ...posture } }
      : {}),
  } as unknown as EmulatorFactoryOptions & TExtra;
}

/**
 * `checkPosture` options for the emulated ACS resource, read by one of the emulator's applications (which holds
 * `Reader` on it by default): the resource id, the emulator's ARM endpoint (the token scope is `{armEndpoint}/.default`),
 * the application's certificate, the emulator's authority (allowed explicitly), its CA, and the ACS endpoint (adds the
 * `endpoint-matches` check). `extra` replaces any of these and adds others (`clients`, `dataLocations`).
 *
 * @example
 * ```ts
 * emu.arm.resource.disableLocalAuth = true;
 * const result = await checkPosture(emulatorPostureOptions(emu, app));
 * ```
 * @public
 */
export function emulatorPostureOptions<TExtra extends object = Record<never, never>>(
  emulator: EmulatorEndpoints & { arm: Pick<Emulator["arm"], "endpoint" | "resourceId"> },
  application: Pick<TestApplication, "clientId" | "certificatePath">,
  extra?: TExtra,
): EmulatorPostureOptions & TExtra {
  const { allowedHosts: _hosts, ...options } = emulatorFactoryOptions(emulator, application);
  return {
    ...options,
    resourceId: emulator.arm.resourceId,
    armEndpoint: emulator.arm.endpoint,
    ...extra,
  } as EmulatorPostureOptions & TExtra;
}

/**
 * The options {@link emulatorFactoryOptions} builds: a structural subset of `AcsClientFactoryOptions` from
 * `acs-baseline` (the emulator depends on nothing else in this repository, so it states the shape itself).
 * @public
 */
export interface EmulatorFactoryOptions {
  endpoint: string;
  tenantId: string;
  clientId: string;
  certificate: { path: string };
  /** Optional so a test can remove it (`delete`) and see the default authority apply. */
  authorityHost?: string;
  /** The emulator's own authority host, allowed explicitly (it is not a Microsoft cloud login host). */
  allowedAuthorityHosts?: string[];
  disableInstanceDiscovery: boolean;
  /** The ACS endpoint's host (`127.0.0.1`): not an Azure ACS domain, so allowed explicitly. */
  allowedHosts: string[];
  /** The emulator's CA, trusted for Entra, ACS and ARM. */
  clientOptions: { tlsOptions: { ca: string } };
  /** Set only when `extra` has a `posture`: the emulated resource and the emulator's ARM endpoint, filled in. */
  posture?: { resourceId: string; armEndpoint: string; mode: "warn" | "enforce" };
}

/**
 * The options {@link emulatorPostureOptions} builds: a structural subset of `CheckPostureOptions` from `acs-baseline`.
 * @public
 */
export interface EmulatorPostureOptions extends Omit<EmulatorFactoryOptions, "allowedHosts" | "posture"> {
  /** The emulated ACS resource's id. */
  resourceId: string;
  /** The emulator's ARM endpoint (`AZURE_RESOURCE_MANAGER_ENDPOINT` in the environment, `--arm-endpoint` on the CLI). */
  armEndpoint: string;
}
