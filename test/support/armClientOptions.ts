import type { Emulator } from "../../packages/emulator/src/index.js";

/**
 * Options for a real ARM SDK client (`@azure/arm-*`) against the emulator's ARM: its endpoint as the token scope's
 * base and as the client's host, the emulator's CA as the only trusted root, no retries.
 *
 * @param extra - more client options, added to the emulator's
 */
export function armClientOptions<T extends object>(
  emu: Emulator,
  extra?: T,
): { endpoint: string; $host: string; tlsOptions: { ca: string }; retryOptions: { maxRetries: number } } & T {
  return {
    endpoint: emu.arm.endpoint,
    $host: emu.arm.endpoint,
    tlsOptions: { ca: emu.caCertificatePem },
    retryOptions: { maxRetries: 0 },
    ...(extra as T),
  };
}
