import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";

/**
 * Factory options that reach the emulator with a client secret instead of the application's certificate: the
 * emulator's `emulatorFactoryOptions` with no `certificate` member at all (not one set to `undefined`).
 *
 * @param secret - the client secret; register it with `emu.registerApplication` for Entra to accept it
 * @param extra - more top-level options, replacing the emulator's
 */
export function secretFactoryOptions(
  emu: Emulator,
  app: TestApplication,
  secret: string,
  extra: Partial<AcsClientFactoryOptions> = {},
): AcsClientFactoryOptions {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the certificate is left out on purpose
  const { certificate, ...withoutCertificate } = emulatorFactoryOptions(emu, app);
  return { ...withoutCertificate, clientSecret: secret, ...extra };
}
