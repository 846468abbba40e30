/**
 * The audit records the factory writes (credential resolution and rotation, tokens, refusals, warnings, posture
 * checks), in one place, so the factory itself only says when. Every text here is secret-free by construction; the
 * recorder scrubs it again.
 */
import type { AccessToken } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import type { AuditRecorder } from "../audit/write/recorder.js";
import type { LoadedCertificate } from "../credentials/certificate.js";
import type { CredentialEvents, ResolvedCredential } from "../credentials/resolveCredential.js";
import type { TokenCacheEvents } from "../credentials/sharedTokenCache.js";
import type { BaselineControlId, BaselineViolationError } from "../errors.js";
import { isBaselineViolationError } from "../errors.js";
import type { ValidatedAuthority } from "../guard/authority.js";
import { isStockHttpsAgent } from "../guard/transportOptions.js";
import type { PostureResult } from "../posture/types.js";
import type { FactoryCredential } from "./factoryCredential.js";
import { ACS_TOKEN_SCOPE } from "./factoryCredential.js";

/** The actions the factory records. */
export type FactoryAction =
  | "credential.resolve"
  | "credential.rotate"
  | "client.create"
  | "token.acquire"
  | "refuse"
  | "config.warning"
  | "posture.check";

type Extra = Omit<Parameters<AuditRecorder["write"]>[0], "action" | "outcome" | "controls">;

/** One factory's records, written to its audit recorder. */
export class FactoryRecords {
  readonly #recorder: AuditRecorder;

  constructor(recorder: AuditRecorder) {
    this.#recorder = recorder;
  }

  /** Writes one record. */
  write(
    action: FactoryAction,
    outcome: "success" | "failure",
    controls: readonly BaselineControlId[],
    extra: Extra = {},
  ): void {
    this.#recorder.write({ action, outcome, controls, ...extra });
  }

  /** A `refuse` record (level error) for a BaselineViolationError; nothing for any other error. */
  refused(error: unknown, client?: string): void {
    if (!isBaselineViolationError(error)) return;
    this.write("refuse", "failure", [error.control], {
      level: "error",
      reason: error.message,
      error: { code: error.code },
      ...(client !== undefined ? { client } : {}),
    });
  }

  /** A refusal at the wire (credential transport, wire backstop). */
  refusedAtWire(error: BaselineViolationError): void {
    this.write("refuse", "failure", [error.control], {
      level: "error",
      reason: error.message,
      error: { code: error.code },
    });
  }

  /** The request guard's refusal handler for one client. */
  blockedFor(client: string): (error: BaselineViolationError) => void {
    return (error) =>
      this.write("refuse", "failure", [error.control], { reason: error.message, error: { code: error.code }, client });
  }

  /** A `warn` for a caller-supplied transport let through by `allowCustomHttpClient`. */
  customTransport(where: string, client?: string): void {
    this.write("config.warning", "success", ["IM-1", "DP-3"], {
      level: "warn",
      reason: `A caller-supplied transport (${where}) is in use because allowCustomHttpClient is true. It runs after the request guard and can change where and how requests are sent: the request guard's wire guarantees do not hold for it.`,
      ...(client !== undefined ? { client } : {}),
    });
  }

  /** A `warn` for each caller-supplied transport in the factory's `clientOptions` (an HttpClient, a foreign agent). */
  factoryTransport(clientOptions: Readonly<CommonClientOptions>): void {
    if (clientOptions.httpClient !== undefined) this.customTransport("clientOptions.httpClient");
    const agent = clientOptions.agent;
    if (agent !== undefined && !isStockHttpsAgent(agent)) this.customTransport("clientOptions.agent");
  }

  /** A `warn` naming (never showing) environment variables that hold ACS key material. */
  keyMaterialInEnvironment(variables: string[]): void {
    this.write("config.warning", "success", ["IM-1", "IM-8"], {
      level: "warn",
      reason:
        "ACS key material (connection strings or access keys) is present in the environment; it is not used. Remove it and disable local auth on the resource.",
      variables,
    });
  }

  /**
   * The `credential.resolve` record (a `warn` for the secret fallback, a note for an allow-listed authority), then a
   * `config.warning` for each further warning of the resolution.
   */
  credentialResolved(
    { resolved, disableInstanceDiscovery }: FactoryCredential,
    authority: Readonly<ValidatedAuthority>,
  ): void {
    const secretFallback = resolved.type === "secret";
    const usesAuthority = resolved.type === "certificate" || resolved.type === "workload-identity" || secretFallback;
    const authorityNote =
      usesAuthority && !authority.microsoft
        ? `Authority ${authority.hostname} is not a Microsoft cloud login host; it is allowed by allowedAuthorityHosts${disableInstanceDiscovery ? " and instance discovery is off" : ""}.`
        : undefined;
    const fallback = secretFallback ? (resolved.warnings[0]?.reason ?? "client secret fallback") : undefined;
    const reason = [fallback, authorityNote].filter((r) => r !== undefined).join(" ");
    this.write("credential.resolve", "success", ["IM-1", "IM-3"], {
      level: secretFallback ? "warn" : "info",
      ...(reason.length > 0 ? { reason } : {}),
      ...certificateExpiry(resolved),
    });
  }

  /** The credential in use, for every later record's principal. */
  principalResolved(resolved: ResolvedCredential): void {
    this.#recorder.setPrincipal({
      credentialType: resolved.type,
      ...(resolved.certificate !== undefined ? { certificateThumbprint: resolved.certificate.thumbprint } : {}),
    });
  }

  /** A `config.warning` for each warning of the resolution (the secret fallback's own is in `credential.resolve`). */
  credentialWarnings(resolved: ResolvedCredential): void {
    for (const warning of resolved.type === "secret" ? resolved.warnings.slice(1) : resolved.warnings) {
      this.write("config.warning", "success", warning.controls, { level: "warn", reason: warning.reason });
    }
  }

  /** `credential.rotate` records; `rotated` is told the new certificate first. */
  rotationEvents(rotated: (loaded: LoadedCertificate) => void): CredentialEvents {
    return {
      rotated: (loaded) => {
        rotated(loaded);
        const warned = loaded.warnings.length > 0;
        this.write("credential.rotate", "success", ["IM-3"], {
          level: warned ? "warn" : "info",
          ...(warned ? { reason: loaded.warnings.join(" ") } : {}),
        });
      },
      rotationFailed: (code, reason) => {
        const message = `${reason} The previous certificate stays in use.`;
        this.write("credential.rotate", "failure", ["IM-3"], { reason: message, error: { code, message: reason } });
      },
    };
  }

  /** `token.acquire` records for every token the shared credential fetches, or fails to. */
  tokenEvents(): TokenCacheEvents {
    return {
      acquired: (token: AccessToken, scopes: string[]) =>
        this.write("token.acquire", "success", ["IM-1", "IM-3"], {
          token: {
            expiresOn: new Date(token.expiresOnTimestamp).toISOString(),
            scope: scopes.join(" ") || ACS_TOKEN_SCOPE,
          },
        }),
      failed: (error: unknown) =>
        this.write("token.acquire", "failure", ["IM-1", "IM-3"], {
          reason: "Microsoft Entra ID did not issue a token.",
          error: describeTokenFailure(error),
        }),
    };
  }

  /** One `posture.check` record per check: `error` for a failure in enforce mode, `warn` otherwise. */
  postureChecks(result: PostureResult, mode: "warn" | "enforce"): void {
    for (const check of result.checks) {
      const failing = check.status === "fail";
      const outcome = check.status === "pass" ? "success" : "failure";
      this.write("posture.check", outcome, check.control !== null ? [check.control] : [], {
        level: check.status === "pass" ? "info" : failing && mode === "enforce" ? "error" : "warn",
        reason: `${check.title}: ${check.evidence}`,
        posture: { check: check.id, status: check.status, resourceId: result.resourceId },
      });
    }
  }
}

/** The certificate's expiry for `credential.resolve`, when a certificate is in use. */
function certificateExpiry(resolved: ResolvedCredential): Extra {
  const certificate = resolved.certificate;
  if (certificate === undefined) return {};
  return { certificate: { notAfter: certificate.notAfter.toISOString(), daysRemaining: certificate.daysRemaining } };
}

/** How many errors of a failure's `cause` chain are read. */
const MAX_CAUSES = 5;
/** An OAuth error code as Entra spells them (`invalid_client`, `unauthorized_client`): short, letters and `_`. */
const OAUTH_CODE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

interface TokenFailureFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  /** MSAL's error (the `cause` of @azure/identity 4.x's AuthenticationRequiredError). */
  errorCode?: unknown;
  errorMessage?: unknown;
  errorResponse?: { error?: unknown; errorDescription?: unknown };
  statusCode?: unknown;
  status?: unknown;
  cause?: unknown;
}

/** The first `AADSTS` code of a text (digits only: nothing else of it is kept). */
const aadstsOf = (text: unknown): string | undefined =>
  typeof text === "string" ? /AADSTS\d{1,10}/.exec(text)?.[0] : undefined;

/**
 * What Entra said, from the error and its `cause` chain (bounded): the OAuth `error` (shape-gated), the AADSTS code
 * and the HTTP status. @azure/identity 4.x keeps them on MSAL's error, in the `cause` of the one it throws.
 */
function entraAnswer(error: object): { oauth?: string; aadsts?: string; status?: number } {
  const found: { oauth?: string; aadsts?: string; status?: number } = {};
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSES && typeof current === "object" && current !== null; depth++) {
    if (seen.has(current) || isBaselineViolationError(current)) break;
    seen.add(current);
    const e = current as TokenFailureFields;
    for (const code of [e.errorResponse?.error, e.errorCode])
      if (found.oauth === undefined && typeof code === "string" && OAUTH_CODE.test(code)) found.oauth = code;
    found.aadsts ??= aadstsOf(e.errorResponse?.errorDescription) ?? aadstsOf(e.errorMessage) ?? aadstsOf(e.message);
    const status = typeof e.statusCode === "number" ? e.statusCode : e.status;
    if (found.status === undefined && typeof status === "number" && Number.isInteger(status)) found.status = status;
    current = e.cause;
  }
  return found;
}

/**
 * A token failure for the audit log: Entra's error code (the OAuth `error`, else the AADSTS code) when the failure
 * carries one, else the error's own code or class name; the AADSTS code and the HTTP status; never the message text.
 */
export function describeTokenFailure(error: unknown): { code?: string; message?: string } {
  if (typeof error !== "object" || error === null) return { code: "UnknownError" };
  const e = error as TokenFailureFields;
  const own = typeof e.code === "string" ? e.code : typeof e.name === "string" ? e.name : "Error";
  const { oauth, aadsts, status } = entraAnswer(error);
  const code = (oauth ?? aadsts ?? own).slice(0, 64);
  const named = [...new Set([code, aadsts, status !== undefined ? `HTTP ${status}` : undefined])];
  return { code, message: `Token request failed (${named.filter(Boolean).join(", ")}).` };
}
