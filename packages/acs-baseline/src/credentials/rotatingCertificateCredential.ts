/**
 * IM-3 certificate rotation. MSAL caches one client assertion for about ten minutes, so the upstream
 * ClientCertificateCredential keeps signing with the old certificate after the file is replaced. This credential
 * notices a replaced file when a token is needed, checks the new certificate like the first one, and builds a new
 * upstream credential from it. A broken replacement never breaks the working credential.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type { ClientCertificateCredentialOptions } from "@azure/identity";
import { ClientCertificateCredential } from "@azure/identity";
import { isBaselineViolationError } from "../errors.js";
import type { FileSignature, LoadedCertificate } from "./certificate.js";
import { fileSignature, loadCertificate, sameFile } from "./certificate.js";

/** What rotation reports. */
export interface RotationEvents {
  rotated?(loaded: LoadedCertificate): void;
  rotationFailed?(code: string, reason: string): void;
}

/** A certificate credential that follows its PEM file. */
export class RotatingCertificateCredential implements TokenCredential {
  readonly #tenantId: string;
  readonly #clientId: string;
  readonly #path: string | undefined;
  readonly #password: string | undefined;
  readonly #options: ClientCertificateCredentialOptions;
  readonly #events: RotationEvents;
  #credential: ClientCertificateCredential;
  #loaded: LoadedCertificate;
  #signature: FileSignature | undefined;
  #failedSignature: FileSignature | undefined;

  constructor(
    tenantId: string,
    clientId: string,
    source: { path?: string; password?: string },
    loaded: LoadedCertificate & { signature?: FileSignature },
    options: ClientCertificateCredentialOptions,
    events: RotationEvents = {},
  ) {
    this.#tenantId = tenantId;
    this.#clientId = clientId;
    this.#path = source.path;
    this.#password = source.password;
    this.#options = options;
    this.#events = events;
    this.#loaded = loaded;
    this.#signature = loaded.signature;
    this.#credential = this.#build(loaded);
  }

  /** The certificate in use (no key material). */
  get thumbprint(): string {
    return this.#loaded.thumbprint;
  }

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.#followFile();
    return this.#credential.getToken(scopes, options);
  }

  #build(loaded: LoadedCertificate): ClientCertificateCredential {
    return new ClientCertificateCredential(this.#tenantId, this.#clientId, { certificate: loaded.credentialPem }, this.#options);
  }

  #followFile(): void {
    if (this.#path === undefined) return;
    const now = fileSignature(this.#path);
    if (now === undefined || sameFile(now, this.#signature) || sameFile(now, this.#failedSignature)) return;
    try {
      const loaded = loadCertificate(this.#password === undefined ? { path: this.#path } : { path: this.#path, password: this.#password });
      this.#credential = this.#build(loaded);
      this.#loaded = loaded;
      this.#signature = loaded.signature ?? now;
      this.#failedSignature = undefined;
      this.#events.rotated?.(loaded);
    } catch (error) {
      this.#failedSignature = now;
      const code = isBaselineViolationError(error) ? error.code : "CERTIFICATE_INVALID";
      const reason = isBaselineViolationError(error) ? error.message : "The replaced certificate file could not be loaded.";
      this.#events.rotationFailed?.(code, reason);
    }
  }
}
