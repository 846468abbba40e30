// The benchmarks' raw subjects: an upstream certificate credential and SmsClient against the emulator, as an app
// without acs-baseline builds them (the emulator's authority host, no instance discovery, its CA trusted).
import { ClientCertificateCredential } from "@azure/identity";
import { SmsClient } from "@azure/communication-sms";

/** The emulator's CA as the only trusted root: the TLS options the benchmarks share between their clients. */
export const emulatorTls = (emu) => ({ tlsOptions: { ca: emu.caCertificatePem } });

/** A ClientCertificateCredential for `app` (an emulator test application, or the emulator's own identity). */
export function certificateCredential(emu, app = emu, tls = emulatorTls(emu)) {
  return new ClientCertificateCredential(
    emu.tenantId,
    app.clientId,
    { certificatePath: app.certificatePath },
    { authorityHost: emu.authorityHost, disableInstanceDiscovery: true, ...tls },
  );
}

/** An upstream SmsClient with its own certificate credential; `clientOptions` are added to `tls`. */
export function rawSmsClient(emu, tls = emulatorTls(emu), clientOptions = {}, app = emu) {
  return new SmsClient(emu.endpoint, certificateCredential(emu, app, tls), { ...tls, ...clientOptions });
}
