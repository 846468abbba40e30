/**
 * Starts the local emulator: an Entra ID token endpoint (https://localhost:PORT), an ACS data plane
 * (https://127.0.0.1:PORT) and an Azure Resource Manager endpoint for the ACS resource (https://127.0.0.1:PORT),
 * all over TLS with a CA generated at start.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:https";
import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";

type Server = HttpServer | HttpsServer;
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair } from "jose";
import type { EmulatorSmsMessage } from "./acs.js";
import { handleAcs } from "./acs.js";
import type { EmulatorArm } from "./arm.js";
import { createArmState, createEmulatorArm, handleArm } from "./arm.js";
import type { ApplicationRegistration } from "./applications.js";
import { ApplicationRegistry } from "./applications.js";
import type { CreateCertificateOptions } from "./certificates.js";
import { createCertificate, createServerTls } from "./certificates.js";
import type { EntraState } from "./entra.js";
import { ACS_SCOPE, handleEntra, issuerOf } from "./entra.js";
import type { JSONWebKeySet } from "jose";
import type { TestOidcIssuer, TestOidcTokenOptions } from "./federation.js";
import { OidcIssuerRegistry, createTestOidcIssuer } from "./federation.js";
import type { ManagedIdentityEndpointOptions, TestManagedIdentity } from "./managedIdentity.js";
import { createManagedIdentityHandler } from "./managedIdentity.js";
import type { EmulatorSide, FaultSpec, InjectedFault } from "./faults.js";
import { FaultRegistry, applyFault } from "./faults.js";
import { pathOf } from "./http.js";
import type { EmulatorRequest } from "./requestLog.js";
import { RequestLog } from "./requestLog.js";

/** Options for {@link startEmulator}. @public */
export interface EmulatorOptions {
  /** Lifetime of issued Entra access tokens in seconds. Default 3600. */
  tokenLifetimeSeconds?: number;
  /** Tenant ID. Default: a random GUID. */
  tenantId?: string;
  /** Port of the ACS data plane. Default 0 (ephemeral). */
  acsPort?: number;
  /** Port of the Entra side. Default 0 (ephemeral). */
  entraPort?: number;
  /** Port of the ARM side. Default 0 (ephemeral). */
  armPort?: number;
  /** Subscription ID of the emulated ACS resource. Default: a random GUID. */
  subscriptionId?: string;
}

/** Options for {@link Emulator.createTestApplication}. @public */
export interface TestApplicationOptions {
  /** RBAC roles; default grants data-plane access. `[]` makes ACS answer 403. */
  roles?: string[];
  /**
   * Give the application's service principal the ARM role `Reader` on the emulated ACS resource (default true), so
   * `acs-baseline posture` and `checkPosture` can read the resource. `false` leaves it without any ARM role.
   */
  armReader?: boolean;
  /** Encrypt the private key in the PEM file with this password. */
  password?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** Folder for the PEM file. Default: a temporary folder removed by `close()`. */
  directory?: string;
  /** Private key format. Default `pkcs8`. */
  keyFormat?: CreateCertificateOptions["keyFormat"];
}

/** An application created by {@link Emulator.createTestApplication}. @public */
export interface TestApplication {
  clientId: string;
  /** Object ID of the application's service principal (the `oid` claim of its tokens; the principal in role assignments). */
  objectId: string;
  /** PEM file (private key + certificate), mode 0600. */
  certificatePath: string;
  /** Content of `certificatePath`. */
  pem: string;
  certificatePem: string;
  privateKeyPem: string;
  /** SHA-256 thumbprint, lower-case hex. */
  thumbprint: string;
}

/** Options for {@link Emulator.createTestWorkloadIdentity}. @public */
export interface TestWorkloadIdentityOptions {
  /** RBAC roles; default grants data-plane access. `[]` makes ACS answer 403. */
  roles?: string[];
  /** The external identity (`sub`). Default `system:serviceaccount:default:acs-app`. */
  subject?: string;
  /** Folder for the token file. Default: a temporary folder removed by `close()`. */
  directory?: string;
}

/**
 * An application with a federated identity credential that trusts a test OIDC issuer, and a token file holding a
 * token from that issuer, as AKS workload identity projects it (`AZURE_FEDERATED_TOKEN_FILE`). @public
 */
export interface TestWorkloadIdentity {
  /** The application (client) ID: `AZURE_CLIENT_ID`. */
  clientId: string;
  /** The federated token file (mode 0600): `AZURE_FEDERATED_TOKEN_FILE`. */
  tokenFilePath: string;
  /** The subject the federated credential trusts. */
  subject: string;
  /** The issuer the federated credential trusts (sign other tokens with it). */
  oidcIssuer: TestOidcIssuer;
  /** Replaces the token in the file (as the kubelet rotates it); claims can be changed to write a token Entra refuses. */
  writeToken(options?: Partial<TestOidcTokenOptions>): Promise<void>;
}

/** Counters of what the emulator did. @public */
export interface EmulatorStats {
  /** Requests to the token endpoint (successful or not). */
  readonly tokenRequests: number;
  /** Access tokens issued. */
  readonly tokensIssued: number;
  /** Token requests that presented a client assertion seen before (accepted until it expires). */
  readonly assertionReuses: number;
  /** Requests to the ACS data plane. */
  readonly acsRequests: number;
  /** ACS requests refused because their access token had expired. */
  readonly expiredTokensRefused: number;
  /** Requests to the ARM side. */
  readonly armRequests: number;
}

/** A running emulator. @public */
export interface Emulator {
  /** ACS data-plane endpoint, `https://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Entra authority host, `https://localhost:PORT` (tenant path `/{tenantId}`). */
  readonly authorityHost: string;
  readonly tenantId: string;
  /** PEM of the CA that signed both server certificates: trust it with `tlsOptions: { ca }` or NODE_EXTRA_CA_CERTS. */
  readonly caCertificatePem: string;
  /** `https://communication.azure.com//.default`. */
  readonly tokenScope: string;
  /** The Azure Resource Manager side: endpoint, the emulated ACS resource and the seeding API (docs/emulator.md). */
  readonly arm: EmulatorArm;
  /** What the emulator received, oldest first (no secrets, tokens, bodies or phone numbers). */
  readonly requests: readonly EmulatorRequest[];
  readonly stats: EmulatorStats;
  /** SMS the emulator accepted (for tests). */
  readonly smsMessages: readonly EmulatorSmsMessage[];
  /** Registers (or replaces) an application. */
  registerApplication(registration: ApplicationRegistration): void;
  /** Trusts an external OpenID Connect issuer: its public keys (JWKS) verify federated client assertions it signs. */
  registerOidcIssuer(issuer: string, jwks: JSONWebKeySet): void;
  /** A test OIDC issuer (new key pair, trusted by the tenant) that signs tokens for workload identity federation. */
  createTestOidcIssuer(): Promise<TestOidcIssuer>;
  /** Registers an application with a federated identity credential and writes a federated token file for it. */
  createTestWorkloadIdentity(options?: TestWorkloadIdentityOptions): Promise<TestWorkloadIdentity>;
  /**
   * Starts an App Service style managed identity endpoint on `http://127.0.0.1` (`IDENTITY_ENDPOINT` and
   * `IDENTITY_HEADER`), with a system-assigned and user-assigned identities; `close()` stops it.
   */
  createManagedIdentityEndpoint(options?: ManagedIdentityEndpointOptions): Promise<TestManagedIdentity>;
  /** Adds a certificate to an application (several may be valid at once, as during rotation). */
  addApplicationCertificate(clientId: string, certificatePem: string): void;
  /** Generates a certificate and private key, writes them to a PEM file and registers a new application. */
  createTestApplication(options?: TestApplicationOptions): Promise<TestApplication>;
  /** Changes the lifetime of access tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  /** Injects a fault. */
  injectFault(spec: FaultSpec): InjectedFault;
  /** Removes every injected fault. */
  clearFaults(): void;
  /** Stops both servers, closes their connections and removes temporary files. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function checkLifetime(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 1) throw new RangeError("token lifetime must be at least 1 second");
  return Math.floor(seconds);
}

/**
 * Starts the emulator. Unmodified `@azure/identity` credentials and ACS SDK clients work against it with
 * `authorityHost`, `disableInstanceDiscovery: true` and `tlsOptions: { ca: caCertificatePem }`.
 * @public
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  let lifetime = checkLifetime(options.tokenLifetimeSeconds ?? 3600);
  const tenantId = options.tenantId ?? randomUUID();
  const [tls, keys] = await Promise.all([createServerTls(), generateKeyPair("RS256", { modulusLength: 2048 })]);
  const log = new RequestLog();
  const faults = new FaultRegistry();
  const applications = new ApplicationRegistry();
  const oidcIssuers = new OidcIssuerRegistry();
  const extraServers: Server[] = [];
  const tempDirs: string[] = [];
  const counters = { tokenRequests: 0, tokensIssued: 0, assertionReuses: 0, acsRequests: 0, expiredTokensRefused: 0, armRequests: 0 };
  const smsMessages: EmulatorSmsMessage[] = [];
  let authorityHost = "";
  let armEndpoint = "";
  let acsEndpoint = "";

  const entraState: EntraState = {
    tenantId,
    authorityHost: () => authorityHost,
    tokenLifetimeSeconds: () => lifetime,
    applications,
    oidcIssuers,
    signingKey: keys.privateKey,
    log,
    stats: counters,
    seenAssertions: new Map(),
    tokenResources: () => (armEndpoint === "" ? [] : [{ scope: `${armEndpoint}/.default`, audience: armEndpoint }]),
  };
  const armState = createArmState({
    issuer: () => issuerOf(entraState),
    verifyKey: keys.publicKey,
    endpoint: () => armEndpoint,
    acsEndpoint: () => acsEndpoint,
    tenantId,
    subscriptionId: options.subscriptionId ?? randomUUID(),
    resourceGroup: "acs-emulator-rg",
    managementGroupId: tenantId,
    stats: counters,
  });
  const acsState = {
    issuer: () => issuerOf(entraState),
    verifyKey: keys.publicKey,
    signingKey: keys.privateKey,
    resourceId: randomUUID(),
    identities: new Map<string, { revokedBefore: number }>(),
    smsMessages,
    stats: counters,
    localAuth: () => ({ disabled: armState.resource.disableLocalAuth, keys: [armState.keys.primary, armState.keys.secondary] }),
  };

  const handler =
    (side: EmulatorSide) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const time = new Date().toISOString();
      const base = { time, side, method: (req.method ?? "").slice(0, 16), path: pathOf(req).slice(0, 512) };
      const run = async (): Promise<void> => {
        const fault = faults.take(side, base.path);
        if (fault !== undefined) {
          if (side === "entra" && base.path.endsWith("/token")) counters.tokenRequests++;
          const status = await applyFault(fault, req, res);
          if (status !== undefined) {
            log.add({ ...base, status, fault: true });
            return;
          }
        }
        const outcome =
          side === "entra" ? await handleEntra(req, res, entraState) : side === "arm" ? await handleArm(req, res, armState) : await handleAcs(req, res, acsState);
        log.add({ ...base, ...outcome });
      };
      run().catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify(side === "entra" ? { error: "server_error", error_description: "AADSTS50000: Internal error." } : { error: { code: "InternalServerError", message: "Internal error." } }));
        }
        log.add({ ...base, status: 500, error: "internal_error" });
      });
    };

  const serverOptions = { key: tls.serverKeyPem, cert: `${tls.serverCertificatePem.trimEnd()}\n${tls.caCertificatePem.trimEnd()}\n`, keepAliveTimeout: 5000 };
  const entraServer = createServer(serverOptions, handler("entra"));
  const acsServer = createServer(serverOptions, handler("acs"));
  const armServer = createServer(serverOptions, handler("arm"));
  const emulatorArm = createEmulatorArm(armState);
  for (const server of [entraServer, acsServer, armServer]) {
    server.on("clientError", (_error, socket) => socket.destroy());
    server.on("tlsClientError", () => undefined);
  }
  const entraPort = await listen(entraServer, options.entraPort ?? 0, "127.0.0.1");
  let acsPort: number;
  let armPort: number;
  try {
    acsPort = await listen(acsServer, options.acsPort ?? 0, "127.0.0.1");
    armPort = await listen(armServer, options.armPort ?? 0, "127.0.0.1");
  } catch (error) {
    await Promise.all([closeServer(entraServer), closeServer(acsServer)]);
    throw error;
  }
  authorityHost = `https://localhost:${entraPort}`;
  armEndpoint = `https://127.0.0.1:${armPort}`;
  acsEndpoint = `https://127.0.0.1:${acsPort}`;
  let closed = false;

  const emulator: Emulator = {
    endpoint: `https://127.0.0.1:${acsPort}`,
    authorityHost,
    tenantId,
    caCertificatePem: tls.caCertificatePem,
    tokenScope: ACS_SCOPE,
    arm: emulatorArm,
    requests: log.entries,
    stats: counters,
    smsMessages,
    registerApplication: (registration) => applications.register(registration),
    addApplicationCertificate: (clientId, certificatePem) => applications.addCertificate(clientId, certificatePem),
    registerOidcIssuer: (issuer, jwks) => oidcIssuers.register(issuer, jwks),
    createTestOidcIssuer: () => createTestOidcIssuer((issuer, jwks) => oidcIssuers.register(issuer, jwks)),
    async createTestWorkloadIdentity(wiOptions: TestWorkloadIdentityOptions = {}) {
      const oidcIssuer = await createTestOidcIssuer((issuer, jwks) => oidcIssuers.register(issuer, jwks));
      const subject = wiOptions.subject ?? "system:serviceaccount:default:acs-app";
      const clientId = randomUUID();
      applications.register({
        clientId,
        federatedCredentials: [{ issuer: oidcIssuer.issuer, subject }],
        ...(wiOptions.roles !== undefined ? { roles: wiOptions.roles } : {}),
      });
      let directory = wiOptions.directory;
      if (directory === undefined) {
        directory = mkdtempSync(join(tmpdir(), "acs-emulator-wi-"));
        tempDirs.push(directory);
      }
      const tokenFilePath = join(directory, `${clientId}.token`);
      const writeToken = async (claims: Partial<TestOidcTokenOptions> = {}) => {
        writeFileSync(tokenFilePath, await oidcIssuer.signToken({ subject, ...claims }), { mode: 0o600 });
      };
      await writeToken();
      return { clientId, tokenFilePath, subject, oidcIssuer, writeToken };
    },
    async createManagedIdentityEndpoint(miOptions: ManagedIdentityEndpointOptions = {}) {
      const { identity, counter, handle } = createManagedIdentityHandler(
        { tenantId, issuer: () => issuerOf(entraState), signingKey: keys.privateKey, tokenLifetimeSeconds: () => lifetime, stats: counters },
        miOptions,
      );
      const server = createHttpServer((req, res) => {
        const base = { time: new Date().toISOString(), side: "entra" as const, method: (req.method ?? "").slice(0, 16), path: pathOf(req).slice(0, 512) };
        handle(req, res).then(
          (outcome) => log.add({ ...base, ...outcome, grantType: "managed_identity" }),
          () => {
            if (!res.headersSent) res.writeHead(500).end();
            log.add({ ...base, status: 500, error: "internal_error" });
          },
        );
      });
      server.on("clientError", (_error, socket) => socket.destroy());
      const port = await listen(server, 0, "127.0.0.1");
      extraServers.push(server);
      const identityEndpoint = `http://127.0.0.1:${port}/msi/token`;
      return {
        ...identity,
        identityEndpoint,
        env: Object.freeze({ IDENTITY_ENDPOINT: identityEndpoint, IDENTITY_HEADER: identity.identityHeader }),
        get tokenRequests() {
          return counter.tokenRequests;
        },
      };
    },
    async createTestApplication(appOptions: TestApplicationOptions = {}) {
      const generated = await createCertificate({
        commonName: "acs-baseline-emulator-app",
        ...(appOptions.password !== undefined ? { password: appOptions.password } : {}),
        ...(appOptions.notBefore !== undefined ? { notBefore: appOptions.notBefore } : {}),
        ...(appOptions.notAfter !== undefined ? { notAfter: appOptions.notAfter } : {}),
        ...(appOptions.keyFormat !== undefined ? { keyFormat: appOptions.keyFormat } : {}),
      });
      const clientId = randomUUID();
      const objectId = randomUUID();
      let directory = appOptions.directory;
      if (directory === undefined) {
        directory = mkdtempSync(join(tmpdir(), "acs-emulator-app-"));
        tempDirs.push(directory);
      }
      const certificatePath = join(directory, `${clientId}.pem`);
      writeFileSync(certificatePath, generated.pem, { mode: 0o600 });
      applications.register({
        clientId,
        objectId,
        certificatePem: generated.certificatePem,
        ...(appOptions.roles !== undefined ? { roles: appOptions.roles } : {}),
      });
      if (appOptions.armReader !== false) emulatorArm.assignRole({ principalId: objectId, role: "Reader", scope: "resource" });
      return { clientId, objectId, certificatePath, ...generated };
    },
    setTokenLifetime: (seconds) => {
      lifetime = checkLifetime(seconds);
    },
    injectFault: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([closeServer(entraServer), closeServer(acsServer), closeServer(armServer), ...extraServers.map(closeServer)]);
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
  return emulator;
}
