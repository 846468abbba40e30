/** Shared set-up for the estate tests (sweep, readiness): one ARM session as the test app, by options or env. */
import type { ArmSessionOptions } from "../../packages/acs-baseline/src/posture/armSession.js";
import type { CliCommand } from "../../packages/cli/src/io.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { runCaptured } from "./captureOutput.js";

/** Client options for the emulator's ARM: trust its CA and fail fast (no retries). */
export function estateClientOptions(emu: Emulator): NonNullable<ArmSessionOptions["clientOptions"]> {
  return { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } };
}

/**
 * The ARM session options `sweepEstate` and `checkReadiness` share: the application's certificate, the emulator's
 * authority (allowed by host name, since it is not a Microsoft cloud login host) and its ARM endpoint.
 */
export function estateSessionOptions(emu: Emulator, app: TestApplication): ArmSessionOptions {
  return {
    tenantId: emu.tenantId,
    clientId: app.clientId,
    certificate: { path: app.certificatePath },
    authorityHost: emu.authorityHost,
    allowedAuthorityHosts: [new URL(emu.authorityHost).hostname],
    armEndpoint: emu.arm.endpoint,
    clientOptions: estateClientOptions(emu),
  };
}

/**
 * The same session as the environment the CLI reads, with `AZURE_COMMUNICATION_RESOURCE_ID` when `resourceId` is given.
 */
export function estateEnvironment(emu: Emulator, app: TestApplication, resourceId?: string): Record<string, string> {
  return {
    ...(resourceId !== undefined ? { AZURE_COMMUNICATION_RESOURCE_ID: resourceId } : {}),
    AZURE_TENANT_ID: emu.tenantId,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
    AZURE_AUTHORITY_HOST: emu.authorityHost,
    AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: new URL(emu.authorityHost).hostname,
    AZURE_RESOURCE_MANAGER_ENDPOINT: emu.arm.endpoint,
  };
}

/** Where and as what {@link runEstateCommand} runs a command. */
export interface EstateRun {
  emu: Emulator;
  app: TestApplication;
  /** The command's working directory. */
  cwd: string;
  /** Set as `AZURE_COMMUNICATION_RESOURCE_ID` (readiness); unset for sweep. */
  resourceId?: string;
}

/**
 * Runs an estate command, made by `create` with {@link estateClientOptions}, on captured output streams with
 * {@link estateEnvironment}; returns its exit code and what it wrote.
 *
 * @param create - the command's factory (`createSweepCommand`, `createReadinessCommand`)
 */
export function runEstateCommand(
  create: (extra: Pick<ArmSessionOptions, "clientOptions">) => CliCommand,
  run: EstateRun,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const env = estateEnvironment(run.emu, run.app, run.resourceId);
  const command = create({ clientOptions: estateClientOptions(run.emu) });
  return runCaptured((io) => command(args, { ...io, env, cwd: run.cwd, stderrIsTTY: false }));
}
