/**
 * The identities a test asks a running emulator for: an application with a certificate in a PEM file, a workload
 * identity with a federated token file, and an App Service style managed identity endpoint.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyLike } from "jose";
import type { ApplicationRegistry } from "./applications.js";
import { createCertificate } from "./certificates.js";
import type { OidcIssuerRegistry, TestOidcTokenOptions } from "./federation.js";
import { createTestOidcIssuer } from "./federation.js";
import type { ManagedIdentityEndpointOptions, TestManagedIdentity } from "./managedIdentity.js";
import { createManagedIdentityHandler } from "./managedIdentity.js";
import { pathOf } from "./http.js";
import type { RequestLog } from "./requestLog.js";
import type { Server } from "./servers.js";
import { listen } from "./servers.js";
import type {
  EmulatorStats,
  TestApplication,
  TestApplicationOptions,
  TestWorkloadIdentity,
  TestWorkloadIdentityOptions,
} from "./testIdentityTypes.js";

/** What the identity factories need from the running emulator. */
export interface IdentityContext {
  tenantId: string;
  applications: ApplicationRegistry;
  oidcIssuers: OidcIssuerRegistry;
  log: RequestLog;
  issuer: () => string;
  signingKey: KeyLike;
  tokenLifetimeSeconds: () => number;
  stats: { -readonly [K in keyof EmulatorStats]: number };
  /** Temporary folders `close()` removes. */
  tempDirs: string[];
  /** Extra servers `close()` stops. */
  extraServers: Server[];
}

function folder(ctx: IdentityContext, directory: string | undefined, prefix: string): string {
  if (directory !== undefined) return directory;
  const created = mkdtempSync(join(tmpdir(), prefix));
  ctx.tempDirs.push(created);
  return created;
}

/** Registers an application with a federated identity credential and writes a federated token file for it. */
export async function createWorkloadIdentity(
  ctx: IdentityContext,
  options: TestWorkloadIdentityOptions,
): Promise<TestWorkloadIdentity> {
  const oidcIssuer = await createTestOidcIssuer((issuer, jwks) => ctx.oidcIssuers.register(issuer, jwks));
  const subject = options.subject ?? "system:serviceaccount:default:acs-app";
  const clientId = randomUUID();
  ctx.applications.register({
    clientId,
    federatedCredentials: [{ issuer: oidcIssuer.issuer, subject }],
    ...(options.roles !== undefined ? { roles: options.roles } : {}),
  });
  const tokenFilePath = join(folder(ctx, options.directory, "acs-emulator-wi-"), `${clientId}.token`);
  const writeToken = async (claims: Partial<TestOidcTokenOptions> = {}) => {
    writeFileSync(tokenFilePath, await oidcIssuer.signToken({ subject, ...claims }), { mode: 0o600 });
  };
  await writeToken();
  return { clientId, tokenFilePath, subject, oidcIssuer, writeToken };
}

/** Starts a managed identity endpoint on `http://127.0.0.1`. */
export async function createManagedIdentityEndpoint(
  ctx: IdentityContext,
  options: ManagedIdentityEndpointOptions,
): Promise<TestManagedIdentity> {
  const { identity, counter, handle } = createManagedIdentityHandler(
    {
      tenantId: ctx.tenantId,
      issuer: ctx.issuer,
      signingKey: ctx.signingKey,
      tokenLifetimeSeconds: ctx.tokenLifetimeSeconds,
      stats: ctx.stats,
    },
    options,
  );
  const server = createHttpServer((req, res) => {
    const base = {
      time: new Date().toISOString(),
      side: "entra" as const,
      method: (req.method ?? "").slice(0, 16),
      path: pathOf(req).slice(0, 512),
    };
    handle(req, res).then(
      (outcome) => ctx.log.add({ ...base, ...outcome, grantType: "managed_identity" }),
      () => {
        if (!res.headersSent) res.writeHead(500).end();
        ctx.log.add({ ...base, status: 500, error: "internal_error" });
      },
    );
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  const port = await listen(server, 0, "127.0.0.1");
  ctx.extraServers.push(server);
  const identityEndpoint = `http://127.0.0.1:${port}/msi/token`;
  return {
    ...identity,
    identityEndpoint,
    env: Object.freeze({ IDENTITY_ENDPOINT: identityEndpoint, IDENTITY_HEADER: identity.identityHeader }),
    get tokenRequests() {
      return counter.tokenRequests;
    },
  };
}

/** Generates a certificate and private key, writes them to a PEM file and registers a new application. */
export async function createApplication(
  ctx: IdentityContext,
  options: TestApplicationOptions,
): Promise<TestApplication> {
  const generated = await createCertificate({
    commonName: "acs-baseline-emulator-app",
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.notBefore !== undefined ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter !== undefined ? { notAfter: options.notAfter } : {}),
    ...(options.keyFormat !== undefined ? { keyFormat: options.keyFormat } : {}),
  });
  const clientId = randomUUID();
  const objectId = randomUUID();
  const certificatePath = join(folder(ctx, options.directory, "acs-emulator-app-"), `${clientId}.pem`);
  writeFileSync(certificatePath, generated.pem, { mode: 0o600 });
  ctx.applications.register({
    clientId,
    objectId,
    certificatePem: generated.certificatePem,
    ...(options.roles !== undefined ? { roles: options.roles } : {}),
  });
  return { clientId, objectId, certificatePath, ...generated };
}
