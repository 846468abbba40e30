/**
 * Points an AcsClientFactory at the emulator: what every test, example and benchmark against it needs.
 */
import type { Emulator, TestApplication } from "./startEmulator.js";

/**
 * AcsClientFactory options for an emulator and one of its applications: the emulator's endpoint, tenant and
 * authority host (allowed explicitly: `allowedAuthorityHosts: ["localhost"]`), its CA trusted
 * (`clientOptions.tlsOptions.ca`), instance discovery off, `127.0.0.1` allowed as an endpoint host, and the
 * application's certificate. `extra` replaces any of these (top-level members are replaced,
 * not merged: pass the whole `clientOptions` when you change it) and adds others, e.g. `audit`.
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
  emulator: Pick<Emulator, "endpoint" | "tenantId" | "authorityHost" | "caCertificatePem">,
  application: Pick<TestApplication, "clientId" | "certificatePath">,
  extra?: TExtra,
): EmulatorFactoryOptions & TExtra {
  return {
    endpoint: emulator.endpoint,
    tenantId: emulator.tenantId,
    clientId: application.clientId,
    certificate: { path: application.certificatePath },
    authorityHost: emulator.authorityHost,
    allowedAuthorityHosts: [new URL(emulator.authorityHost).hostname],
    disableInstanceDiscovery: true,
    allowedHosts: ["127.0.0.1"],
    clientOptions: { tlsOptions: { ca: emulator.caCertificatePem } },
    ...extra,
  } as unknown as EmulatorFactoryOptions & TExtra;
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
  allowedHosts: string[];
  clientOptions: { tlsOptions: { ca: string } };
}
