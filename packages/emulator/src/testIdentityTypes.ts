/**
 * The public shapes of the emulator's test identities (applications with a certificate, workload identities) and its
 * counters: shared by the emulator (`startEmulator.ts`) and the identity factories (`testIdentities.ts`).
 */
import type { CreateCertificateOptions } from "./certificates.js";
import type { TestOidcIssuer, TestOidcTokenOptions } from "./federation.js";

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
