/**
 * Starts the local emulator: an Entra ID token endpoint (https://localhost:PORT), an ACS data plane
 * (https://127.0.0.1:PORT) and an Azure Resource Manager endpoint for the ACS resource (https://127.0.0.1:PORT),
 * all over TLS with a CA generated at start.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { generateKeyPair } from "jose";
import type { JSONWebKeySet, KeyLike } from "jose";
import type { EmulatorSmsMessage } from "./acs.js";
import { handleAcs } from "./acs.js";
import type { EmulatorAcs } from "./dataPlane/index.js";
import { createDataPlane } from "./dataPlane/index.js";
import type { EmulatorArm } from "./arm/index.js";
import { createArmState, createEmulatorArm, handleArm } from "./arm/index.js";
import type { ApplicationRegistration } from "./applications.js";
import { ApplicationRegistry } from "./applications.js";
import { createServerTls } from "./certificates.js";
import type { EntraState } from "./entra.js";
import { ACS_SCOPE, handleEntra, issuerOf } from "./entra.js";
import type { TestOidcIssuer } from "./federation.js";
import { OidcIssuerRegistry, createTestOidcIssuer } from "./federation.js";
import type { ManagedIdentityEndpointOptions, TestManagedIdentity } from "./managedIdentity.js";
import type { EmulatorSide, FaultSpec, InjectedFault } from "./faults.js";
import { FaultRegistry } from "./faults.js";
import type { EmulatorRequest } from "./requestLog.js";
import { RequestLog } from "./requestLog.js";
import type { Server } from "./servers.js";
import { closeServer, sideListener, startSideServers } from "./servers.js";
import type { IdentityContext } from "./testIdentities.js";
import { createApplication, createManagedIdentityEndpoint, createWorkloadIdentity } from "./testIdentities.js";
import type {
  EmulatorStats,
  TestApplication,
  TestApplicationOptions,
  TestWorkloadIdentity,
  TestWorkloadIdentityOptions,
} from "./testIdentityTypes.js";

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

export type {
  EmulatorStats,
  TestApplication,
  TestApplicationOptions,
  TestWorkloadIdentity,
  TestWorkloadIdentityOptions,
} from "./testIdentityTypes.js";

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
  /** Rooms, Email, Call Automation, Phone Numbers and Chat: seeding and inspection (docs/emulator.md). */
  readonly acs: EmulatorAcs;
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
  /**
   * Makes the OpenID metadata name `url` as its `token_endpoint` (undefined: this server's own again), as a hostile
   * or misconfigured authority would.
   */
  setMetadataTokenEndpoint(url: string | undefined): void;
  /** Adds a certificate to an application (several may be valid at once, as during rotation). */
  addApplicationCertificate(clientId: string, certificatePem: string): void;
  /** Generates a certificate and private key, writes them to a PEM file and registers a new application. */
  createTestApplication(options?: TestApplicationOptions): Promise<TestApplication>;
  /** Changes the lifetime of access tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  /**
   * Issues tokens for another resource too (scope `{audience}/.default`, audience `audience`), as Entra does for any
   * resource the tenant knows: e.g. an ARM fake other than the emulator's own, at `https://127.0.0.1:PORT`.
   */
  addTokenResource(audience: string): void;
  /** Injects a fault. */
  injectFault(spec: FaultSpec): InjectedFault;
  /** Removes every injected fault. */
  clearFaults(): void;
  /** Stops both servers, closes their connections and removes temporary files. */
  close(): Promise<void>;
}

function checkLifetime(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 1) throw new RangeError("token lifetime must be at least 1 second");
  return Math.floor(seconds);
}

/** What the three sides share while the emulator runs. */
interface SharedState {
  tenantId: string;
  subscriptionId: string;
  keys: { privateKey: KeyLike; publicKey: KeyLike };
  log: RequestLog;
  applications: ApplicationRegistry;
  oidcIssuers: OidcIssuerRegistry;
  counters: { -readonly [K in keyof EmulatorStats]: number };
  smsMessages: EmulatorSmsMessage[];
  /** Filled in once the servers listen. */
  endpoints: { authorityHost: string; arm: string; acs: string };
  /** Audiences added with `addTokenResource`. */
  extraAudiences: string[];
  lifetime: () => number;
}

/** The state of each side (Entra, ARM, ACS), wired to each other. */
function createSideStates(shared: SharedState) {
  const { tenantId, keys, counters, endpoints } = shared;
  const entraState: EntraState = {
    tenantId,
    authorityHost: () => endpoints.authorityHost,
    tokenLifetimeSeconds: shared.lifetime,
    applications: shared.applications,
    oidcIssuers: shared.oidcIssuers,
    signingKey: keys.privateKey,
    log: shared.log,
    stats: counters,
    seenAssertions: new Map(),
    tokenResources: () =>
      [...(endpoints.arm === "" ? [] : [endpoints.arm]), ...shared.extraAudiences].map((audience) => ({
        scope: `${audience}/.default`,
        audience,
      })),
  };
  const armState = createArmState({
    issuer: () => issuerOf(entraState),
    verifyKey: keys.publicKey,
    endpoint: () => endpoints.arm,
    acsEndpoint: () => endpoints.acs,
    tenantId,
    subscriptionId: shared.subscriptionId,
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
    smsMessages: shared.smsMessages,
    stats: counters,
    localAuth: () => ({
      disabled: armState.resource.disableLocalAuth,
      keys: [armState.keys.primary, armState.keys.secondary],
    }),
    dataPlane: createDataPlane(),
    endpoint: () => endpoints.acs,
  };
  return { entraState, armState, acsState };
}

/** Zeroed counters. */
function newCounters(): SharedState["counters"] {
  return {
    tokenRequests: 0,
    tokensIssued: 0,
    assertionReuses: 0,
    acsRequests: 0,
    expiredTokensRefused: 0,
    armRequests: 0,
  };
}

/** The listener of each side: its handler, behind the faults, the request log and the counters. */
function sideHandler(states: ReturnType<typeof createSideStates>, context: Parameters<typeof sideListener>[2]) {
  const { entraState, armState, acsState } = states;
  return (side: EmulatorSide) =>
    sideListener(
      side,
      side === "entra"
        ? (req, res) => handleEntra(req, res, entraState)
        : side === "arm"
          ? (req, res) => handleArm(req, res, armState)
          : (req, res) => handleAcs(req, res, acsState),
      context,
    );
}

/** What the test identities (applications, workload and managed identities) need from the emulator. */
function identityContext(
  shared: SharedState,
  issuer: () => string,
  owned: { tempDirs: string[]; extraServers: Server[] },
): IdentityContext {
  const { tenantId, applications, oidcIssuers, log, keys, counters } = shared;
  return {
    tenantId,
    applications,
    oidcIssuers,
    log,
    issuer,
    signingKey: keys.privateKey,
    tokenLifetimeSeconds: () => shared.lifetime(),
    stats: counters,
    ...owned,
  };
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
  const shared: SharedState = {
    tenantId,
    subscriptionId: options.subscriptionId ?? randomUUID(),
    keys,
    log: new RequestLog(),
    applications: new ApplicationRegistry(),
    oidcIssuers: new OidcIssuerRegistry(),
    counters: newCounters(),
    smsMessages: [],
    endpoints: { authorityHost: "", arm: "", acs: "" },
    extraAudiences: [],
    lifetime: () => lifetime,
  };
  const { log, applications, oidcIssuers, counters, smsMessages, endpoints } = shared;
  const faults = new FaultRegistry();
  const extraServers: Server[] = [];
  const tempDirs: string[] = [];
  const { entraState, armState, acsState } = createSideStates(shared);
  const handler = sideHandler({ entraState, armState, acsState }, { faults, log, counters });

  const { servers, ports } = await startSideServers(tls, options, handler);
  const { entra: entraPort, acs: acsPort, arm: armPort } = ports;
  const authorityHost = (endpoints.authorityHost = `https://localhost:${entraPort}`);
  endpoints.arm = `https://127.0.0.1:${armPort}`;
  endpoints.acs = `https://127.0.0.1:${acsPort}`;
  let closed = false;
  const identities = identityContext(shared, () => issuerOf(entraState), { tempDirs, extraServers });

  const emulatorArm = createEmulatorArm(armState);
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
    acs: acsState.dataPlane.api,
    registerApplication: (registration) => applications.register(registration),
    addApplicationCertificate: (clientId, certificatePem) => applications.addCertificate(clientId, certificatePem),
    registerOidcIssuer: (issuer, jwks) => oidcIssuers.register(issuer, jwks),
    createTestOidcIssuer: () => createTestOidcIssuer((issuer, jwks) => oidcIssuers.register(issuer, jwks)),
    createTestWorkloadIdentity: (wiOptions: TestWorkloadIdentityOptions = {}) =>
      createWorkloadIdentity(identities, wiOptions),
    setMetadataTokenEndpoint: (url: string | undefined) => {
      entraState.metadataTokenEndpoint = url;
    },
    createManagedIdentityEndpoint: (miOptions: ManagedIdentityEndpointOptions = {}) =>
      createManagedIdentityEndpoint(identities, miOptions),
    createTestApplication: async (appOptions: TestApplicationOptions = {}) => {
      const app = await createApplication(identities, appOptions);
      // Reader on the emulated resource by default, so posture and checkPosture can read it (armReader: false opts out).
      if (appOptions.armReader !== false)
        emulatorArm.assignRole({ principalId: app.objectId, role: "Reader", scope: "resource" });
      return app;
    },
    setTokenLifetime: (seconds) => {
      lifetime = checkLifetime(seconds);
    },
    addTokenResource: (audience) => {
      const origin = new URL(audience).origin;
      if (!shared.extraAudiences.includes(origin)) shared.extraAudiences.push(origin);
    },
    injectFault: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...Object.values(servers), ...extraServers].map(closeServer));
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
  return emulator;
}
