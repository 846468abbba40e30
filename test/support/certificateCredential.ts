import type { ClientCertificateCredentialOptions } from "@azure/identity";
import { ClientCertificateCredential } from "@azure/identity";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";

/**
 * A real `@azure/identity` certificate credential for a test application of the emulator: the emulator's authority
 * host, no instance discovery, and the emulator's CA as the only trusted root (TLS verification stays on).
 *
 * @param extra - more credential options (e.g. `retryOptions`), added to the emulator's
 */
export function certificateCredential(
  emu: Emulator,
  app: TestApplication,
  extra: ClientCertificateCredentialOptions = {},
): ClientCertificateCredential {
  return new ClientCertificateCredential(
    emu.tenantId,
    app.clientId,
    { certificatePath: app.certificatePath },
    {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.caCertificatePem },
      ...extra,
    },
  );
}
