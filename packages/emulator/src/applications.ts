/** The Entra applications (service principals) registered in the emulator's tenant. */
import { X509Certificate, createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { FederatedCredential, FederatedCredentialRegistration } from "./federation.js";
import { federatedCredential } from "./federation.js";

const DEFAULT_ROLE = "Communication and Email Service Owner";

/** Roles that grant ACS data-plane access (RBAC role names). @public */
export const DATA_PLANE_ROLES: readonly string[] = Object.freeze([DEFAULT_ROLE, "Contributor", "Owner"]);

/** Registration of an application. @public */
export interface ApplicationRegistration {
  /** The application (client) ID. */
  clientId: string;
  /** Certificate(s) (PEM) the application may sign client assertions with. */
  certificatePem?: string | string[];
  /** A client secret. */
  secret?: string;
  /** RBAC roles on the ACS resource. Default `["Communication and Email Service Owner"]`; `[]` gives 403 on ACS. */
  roles?: string[];
  /** Federated identity credentials: external tokens (workload identity federation) the application accepts as client assertions. */
  federatedCredentials?: FederatedCredentialRegistration[];
  /** Object ID of the application's service principal (the token's `oid`). Default: a random GUID. */
  objectId?: string;
}

interface RegisteredCertificate {
  certificate: X509Certificate;
  sha256: string;
  sha1: string;
}

/** One registered application. */
export interface Application {
  clientId: string;
  /** Service principal object ID (`oid`). */
  objectId: string;
  roles: string[];
  certificates: RegisteredCertificate[];
  federatedCredentials: FederatedCredential[];
  hasSecret: boolean;
  secretMatches(candidate: string): boolean;
}

function registerCertificate(pem: string): RegisteredCertificate {
  const certificate = new X509Certificate(pem);
  return {
    certificate,
    sha256: createHash("sha256").update(certificate.raw).digest("hex"),
    sha1: createHash("sha1").update(certificate.raw).digest("hex"),
  };
}

/** Registry of applications; secrets are kept as SHA-256 digests only and compared in constant time. */
export class ApplicationRegistry {
  readonly #apps = new Map<string, Application>();

  register(registration: ApplicationRegistration): void {
    if (typeof registration.clientId !== "string" || registration.clientId.length === 0) {
      throw new TypeError("registerApplication needs a clientId");
    }
    const pems = registration.certificatePem === undefined ? [] : [registration.certificatePem].flat();
    const digest =
      registration.secret === undefined ? undefined : createHash("sha256").update(registration.secret, "utf8").digest();
    const app: Application = {
      clientId: registration.clientId,
      objectId: registration.objectId ?? randomUUID(),
      roles: [...(registration.roles ?? [DEFAULT_ROLE])],
      certificates: pems.map(registerCertificate),
      federatedCredentials: (registration.federatedCredentials ?? []).map(federatedCredential),
      hasSecret: digest !== undefined,
      secretMatches: (candidate) =>
        digest !== undefined && timingSafeEqual(digest, createHash("sha256").update(candidate, "utf8").digest()),
    };
    if (app.certificates.length === 0 && !app.hasSecret && app.federatedCredentials.length === 0) {
      throw new TypeError("registerApplication needs a certificatePem, a secret or a federated credential");
    }
    this.#apps.set(app.clientId, app);
  }

  addCertificate(clientId: string, certificatePem: string): void {
    const app = this.#apps.get(clientId);
    if (app === undefined) throw new Error(`no application ${clientId} is registered`);
    app.certificates.push(registerCertificate(certificatePem));
  }

  get(clientId: string): Application | undefined {
    return this.#apps.get(clientId);
  }
}
