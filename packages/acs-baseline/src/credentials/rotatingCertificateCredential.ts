/**
 * IM-3 certificate rotation. MSAL caches one client assertion for about ten minutes, so the upstream
 * ClientCertificateCredential keeps signing with the old certificate after the file is replaced. This credential
 * notices a replaced file when a token is needed, checks the new certificate like the first one, and builds a new
 * upstream credential from it — but only after Entra has issued a token with it: a replacement that is broken, or that
 * Entra refuses (not registered with the application), never replaces the working credential.
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
  #proving: Promise<void> | undefined;

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

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    // One proof at a time; callers arriving meanwhile wait for it, then use whichever certificate won.
    if (this.#proving !== undefined) {
      await this.#proving;
      return this.#credential.getToken(scopes, options);
    }
    const proof = this.#prove(scopes, options);
    const proving = proof.then(
      () => undefined,
      () => undefined,
    );
    this.#proving = proving;
    void proving.finally(() => {
      if (this.#proving === proving) this.#proving = undefined;
    });
    const proven = await proof;
    return proven ?? this.#credential.getToken(scopes, options);
  }

  #build(loaded: LoadedCertificate): ClientCertificateCredential {
    return new ClientCertificateCredential(
      this.#tenantId,
      this.#clientId,
      { certificate: loaded.credentialPem },
      this.#options,
    );
  }

  /** A replaced file is loaded, checked and proven with Entra (one token for `scopes`) before it takes over. */
  async #prove(scopes: string | string[], options: GetTokenOptions | undefined): Promise<AccessToken | undefined> {
    if (this.#path === undefined) return undefined;
    const now = fileSignature(this.#path);
    if (now === undefined || sameFile(now, this.#signature) || sameFile(now, this.#failedSignature)) return undefined;
    let loaded: LoadedCertificate & { signature?: FileSignature };
    try {
      loaded = loadCertificate(
        this.#password === undefined ? { path: this.#path } : { path: this.#path, password: this.#password },
      );
    } catch (error) {
      this.#failedSignature = now;
      const code = isBaselineViolationError(error) ? error.code : "CERTIFICATE_INVALID";
      const reason = isBaselineViolationError(error)
        ? error.message
        : "The replaced certificate file could not be loaded.";
      this.#events.rotationFailed?.(code, reason);
      return undefined;
    }
    // Proof: the replacement must get a token from Entra before it replaces the working certificate.
    const candidate = this.#build(loaded);
    let token: AccessToken | null;
    try {
      token = await candidate.getToken(scopes, options);
      if (token === null) throw new Error("no token");
    } catch (error) {
      const entra = entraError(error);
      // Entra answered: this file version is refused until it changes. No answer (network, timeout): try again later.
      if (entra.answered) this.#failedSignature = loaded.signature ?? now;
      this.#events.rotationFailed?.(
        entra.code,
        `Microsoft Entra ID did not issue a token with the replacement certificate: ${entra.summary}. Register the certificate with the application before rotating to it.`,
      );
      return undefined;
    }
    this.#credential = candidate;
    this.#loaded = loaded;
    this.#signature = loaded.signature ?? now;
    this.#failedSignature = undefined;
    this.#events.rotated?.(loaded);
    return token;
  }
}

/**
 * The Entra error code of a failed token request (`AADSTS…`, else the OAuth error, else the error name), looked up
 * on the error and its `cause` chain (@azure/identity wraps MSAL's ServerError in AuthenticationRequiredError).
 * Only codes are taken from the error, never its text.
 */
function entraError(error: unknown): { code: string; summary: string; answered: boolean } {
  let oauth: string | undefined;
  let aadsts: string | undefined;
  let status: number | undefined;
  const name =
    typeof (error as { name?: unknown } | null)?.name === "string"
      ? (error as { name: string }).name.slice(0, 64)
      : "Error";
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const e = current as {
      errorResponse?: { error?: unknown; errorDescription?: unknown };
      errorCode?: unknown;
      errorMessage?: unknown;
      message?: unknown;
      statusCode?: unknown;
      name?: unknown;
      cause?: unknown;
    };
    oauth ??=
      typeof e.errorResponse?.error === "string"
        ? e.errorResponse.error
        : e.name === "ServerError" && typeof e.errorCode === "string"
          ? e.errorCode
          : undefined;
    for (const text of [e.errorResponse?.errorDescription, e.errorMessage, e.message]) {
      if (aadsts === undefined && typeof text === "string") aadsts = /AADSTS\d{1,10}/.exec(text)?.[0];
    }
    if (status === undefined && typeof e.statusCode === "number") status = e.statusCode;
    current = e.cause;
  }
  const oauthCode = oauth !== undefined && /^[a-z_]{1,64}$/.test(oauth) ? oauth : undefined;
  return {
    code: aadsts ?? oauthCode ?? name,
    summary: [oauthCode ?? name, aadsts, status !== undefined ? `HTTP ${status}` : undefined]
      .filter(Boolean)
      .join(", "),
    answered: aadsts !== undefined || oauthCode !== undefined,
  };
}
