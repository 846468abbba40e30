/**
 * A small HTTPS fake of Microsoft Entra ID (v2.0 endpoints), written from the public protocol and not from our
 * emulator: it answers the tenant's OpenID metadata, and its token endpoint refuses every request with the OAuth error
 * body a test chooses, built from the request's own form fields, so a test can make Entra echo the client assertion
 * or the client secret back (as a misbehaving proxy or a verbose error page would).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serverTls } from "./specArmFake.js";

/** The token endpoint's refusal, built from the form fields the client sent. */
export type EntraRefusal = (form: URLSearchParams) => { status: number; json: Record<string, unknown> };

/** A started fake Entra. */
export interface EchoingEntra {
  /** `https://127.0.0.1:{port}`: the authority host. */
  authorityHost: string;
  /** The CA that signed the server certificate. */
  caCertificatePem: string;
  /** The form bodies of the token requests received, in order. */
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

/** Entra's `invalid_client` answer for a bad secret or assertion, with `echo` appended to its description. */
export const invalidClient =
  (echo: (form: URLSearchParams) => string): EntraRefusal =>
  (form) => ({
    status: 401,
    json: {
      error: "invalid_client",
      error_description: `AADSTS7000215: Invalid client secret provided. ${echo(form)}`,
      error_codes: [7000215],
      timestamp: "2024-01-01 00:00:00Z",
      trace_id: "0f6c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d",
      correlation_id: "1a2b3c4d-1f2d-4c5b-9a6e-7d8f9a0b1c2d",
    },
  });

function send(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(json));
}

function metadata(base: string, tenant: string): Record<string, unknown> {
  const root = `${base}/${tenant}`;
  return {
    token_endpoint: `${root}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${root}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${root}/v2.0`,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    tenant_region_scope: "WW",
    cloud_instance_name: "microsoftonline.com",
  };
}

/** Starts the fake for `tenant`; every token request is answered with `refusal`. */
export async function startEchoingEntra(tenant: string, refusal: EntraRefusal): Promise<EchoingEntra> {
  const tls = await serverTls();
  const tokenRequests: URLSearchParams[] = [];
  let base = "";
  const server = createServer({ cert: tls.cert, key: tls.key }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", base).pathname;
      if (path === `/${tenant}/v2.0/.well-known/openid-configuration`) return send(res, 200, metadata(base, tenant));
      if (path === `/${tenant}/oauth2/v2.0/token` && req.method === "POST") {
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        tokenRequests.push(form);
        const { status, json } = refusal(form);
        return send(res, status, json);
      }
      send(res, 404, { error: "not_found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    authorityHost: base,
    caCertificatePem: tls.ca,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
