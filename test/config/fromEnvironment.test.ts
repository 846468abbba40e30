// Environment combinations through AcsClientFactory.fromEnvironment: each gives the right refusal code (or the
// right credential type), never a crash, and no planted secret in the error or the audit log.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { AzureKeyCredential } from "@azure/core-auth";
import type { TokenCredential } from "@azure/core-auth";
import { beforeAll, describe, expect, it } from "vitest";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { writeTestCertificate } from "../support/testCertificates.js";

const SECRET = `SECRETCANARY${randomBytes(12).toString("base64url")}`;
const PASSWORD = `PASSCANARY${randomBytes(12).toString("base64url")}`;
const KEY = randomBytes(32).toString("base64");
const dir = tempDir("acs-fromenv-");
let plainPath: string;
let encryptedPath: string;
let expiredPath: string;
let tokenPath: string;

beforeAll(async () => {
  plainPath = (await writeTestCertificate(dir, "plain.pem")).path;
  encryptedPath = (await writeTestCertificate(dir, "encrypted.pem", { password: PASSWORD })).path;
  expiredPath = (
    await writeTestCertificate(dir, "expired.pem", {
      notBefore: new Date(Date.now() - 9 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    })
  ).path;
  tokenPath = join(dir, "federated.token");
  writeFileSync(tokenPath, "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.c2ln", { mode: 0o600 });
});

const ids = {
  AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com",
  AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  AZURE_CLIENT_ID: "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60",
};
const external: TokenCredential = { getToken: () => Promise.resolve(null) };

type Case = [
  name: string,
  env: () => NodeJS.ProcessEnv,
  expected: string,
  overrides?: () => Partial<AcsClientFactoryOptions>,
];
const cases: Case[] = [
  ["nothing at all", () => ({}), "ENDPOINT_NOT_CONFIGURED"],
  [
    "endpoint only",
    () => ({ AZURE_COMMUNICATION_ENDPOINT: ids.AZURE_COMMUNICATION_ENDPOINT }),
    "CREDENTIAL_NOT_CONFIGURED",
  ],
  ["ids but no credential", () => ({ ...ids }), "CREDENTIAL_NOT_CONFIGURED"],
  [
    "certificate without tenant",
    () => ({ ...ids, AZURE_TENANT_ID: "", AZURE_CLIENT_CERTIFICATE_PATH: plainPath }),
    "CREDENTIAL_NOT_CONFIGURED",
  ],
  [
    "secret without client id",
    () => ({ ...ids, AZURE_CLIENT_ID: " ", AZURE_CLIENT_SECRET: SECRET }),
    "CREDENTIAL_NOT_CONFIGURED",
  ],
  [
    "http endpoint",
    () => ({
      ...ids,
      AZURE_COMMUNICATION_ENDPOINT: "http://contoso.communication.azure.com",
      AZURE_CLIENT_SECRET: SECRET,
    }),
    "INSECURE_ENDPOINT",
  ],
  [
    "endpoint with a path",
    () => ({
      ...ids,
      AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com/sms",
      AZURE_CLIENT_SECRET: SECRET,
    }),
    "ENDPOINT_NOT_ALLOWED",
  ],
  [
    "foreign endpoint host",
    () => ({
      ...ids,
      AZURE_COMMUNICATION_ENDPOINT: "https://contoso.communication.azure.com.evil.example",
      AZURE_CLIENT_SECRET: SECRET,
    }),
    "ENDPOINT_NOT_ALLOWED",
  ],
  [
    "connection string as the endpoint",
    () => ({
      ...ids,
      AZURE_COMMUNICATION_ENDPOINT: `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`,
      AZURE_CLIENT_SECRET: SECRET,
    }),
    "CONNECTION_STRING_REFUSED",
  ],
  [
    "connection string as the secret",
    () => ({ ...ids, AZURE_CLIENT_SECRET: `AccessKey=${KEY};Endpoint=https://x.communication.azure.com` }),
    "CONNECTION_STRING_REFUSED",
  ],
  [
    "missing certificate file next to a secret (no fallback)",
    () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: join(dir, "nope.pem"), AZURE_CLIENT_SECRET: SECRET }),
    "CERTIFICATE_INVALID",
  ],
  ["certificate path is a directory", () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: dir }), "CERTIFICATE_INVALID"],
  [
    "encrypted key without password",
    () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: encryptedPath }),
    "CERTIFICATE_INVALID",
  ],
  [
    "encrypted key with a wrong password",
    () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: encryptedPath, AZURE_CLIENT_CERTIFICATE_PASSWORD: `${PASSWORD}x` }),
    "CERTIFICATE_INVALID",
  ],
  [
    "expired certificate next to a secret",
    () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: expiredPath, AZURE_CLIENT_SECRET: SECRET }),
    "CERTIFICATE_EXPIRED",
  ],
  [
    "secret only, fallback disabled",
    () => ({ ...ids, AZURE_CLIENT_SECRET: SECRET }),
    "SECRET_FALLBACK_DISABLED",
    () => ({ allowSecretFallback: false }),
  ],
  [
    "key credential override",
    () => ({ ...ids, AZURE_CLIENT_SECRET: SECRET }),
    "KEY_CREDENTIAL_REFUSED",
    () => ({ credential: new AzureKeyCredential(KEY) as unknown as TokenCredential }),
  ],
  [
    "foreign authority next to a secret",
    () => ({ ...ids, AZURE_CLIENT_SECRET: SECRET, AZURE_AUTHORITY_HOST: "https://login.evil.example" }),
    "AUTHORITY_NOT_ALLOWED",
  ],
  [
    "http authority next to a secret",
    () => ({ ...ids, AZURE_CLIENT_SECRET: SECRET, AZURE_AUTHORITY_HOST: "http://login.microsoftonline.com" }),
    "AUTHORITY_NOT_ALLOWED",
  ],
  [
    "authority with user-info carrying the secret",
    () => ({
      ...ids,
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_AUTHORITY_HOST: `https://x:${SECRET}@login.microsoftonline.com`,
    }),
    "AUTHORITY_NOT_ALLOWED",
  ],
  [
    "allow-listed authority",
    () => ({
      ...ids,
      AZURE_CLIENT_SECRET: SECRET,
      AZURE_AUTHORITY_HOST: "https://adfs.contoso.example",
      AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "adfs.contoso.example",
    }),
    "secret",
  ],
  [
    "Microsoft sovereign authority",
    () => ({ ...ids, AZURE_CLIENT_SECRET: SECRET, AZURE_AUTHORITY_HOST: "https://login.chinacloudapi.cn/" }),
    "secret",
  ],
  ["token file", () => ({ ...ids, AZURE_FEDERATED_TOKEN_FILE: tokenPath }), "workload-identity"],
  [
    "token file wins over a secret",
    () => ({ ...ids, AZURE_FEDERATED_TOKEN_FILE: tokenPath, AZURE_CLIENT_SECRET: SECRET }),
    "workload-identity",
  ],
  [
    "certificate wins over a token file",
    () => ({ ...ids, AZURE_FEDERATED_TOKEN_FILE: tokenPath, AZURE_CLIENT_CERTIFICATE_PATH: plainPath }),
    "certificate",
  ],
  [
    "missing token file next to a secret (no fallback)",
    () => ({ ...ids, AZURE_FEDERATED_TOKEN_FILE: join(dir, "nope.token"), AZURE_CLIENT_SECRET: SECRET }),
    "CREDENTIAL_NOT_CONFIGURED",
  ],
  [
    "managed identity opt-in",
    () => ({
      AZURE_COMMUNICATION_ENDPOINT: ids.AZURE_COMMUNICATION_ENDPOINT,
      AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "1",
    }),
    "managed-identity",
  ],
  [
    "managed identity opt-in, user-assigned",
    () => ({ ...ids, AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "true" }),
    "managed-identity",
  ],
  [
    "managed identity opt-in next to a secret",
    () => ({ ...ids, AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "true", AZURE_CLIENT_SECRET: SECRET }),
    "CREDENTIAL_NOT_CONFIGURED",
  ],
  [
    "managed identity not opted in",
    () => ({ ...ids, AZURE_COMMUNICATION_USE_MANAGED_IDENTITY: "false" }),
    "CREDENTIAL_NOT_CONFIGURED",
  ],
  ["secret only", () => ({ ...ids, AZURE_CLIENT_SECRET: SECRET }), "secret"],
  ["certificate", () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: plainPath }), "certificate"],
  [
    "certificate wins over a secret",
    () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: plainPath, AZURE_CLIENT_SECRET: SECRET }),
    "certificate",
  ],
  [
    "encrypted certificate with its password",
    () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: encryptedPath, AZURE_CLIENT_CERTIFICATE_PASSWORD: PASSWORD }),
    "certificate",
  ],
  [
    "own credential overrides the environment's certificate and secret",
    () => ({ ...ids, AZURE_CLIENT_CERTIFICATE_PATH: plainPath, AZURE_CLIENT_SECRET: SECRET }),
    "external",
    () => ({ credential: external }),
  ],
  [
    "overrides win over the environment",
    () => ({ ...ids, AZURE_COMMUNICATION_ENDPOINT: "http://bad", AZURE_CLIENT_SECRET: SECRET }),
    "certificate",
    () => ({ endpoint: ids.AZURE_COMMUNICATION_ENDPOINT, certificate: { path: plainPath } }),
  ],
];

describe("fromEnvironment combinations", () => {
  it.each(cases)("%s → %s", (name, env, expected, overrides) => {
    const auditFile = join(dir, `${name.replace(/\W+/g, "-")}.log`);
    let factory: AcsClientFactory | undefined;
    let error: unknown;
    try {
      factory = AcsClientFactory.fromEnvironment(
        { ...(overrides?.() ?? {}), audit: { destination: auditFile } },
        env(),
      );
    } catch (e) {
      error = e;
    }
    if (["secret", "certificate", "external", "workload-identity", "managed-identity"].includes(expected)) {
      expect(error).toBeUndefined();
      expect(factory?.credentialType).toBe(expected);
    } else {
      expect(error).toBeInstanceOf(BaselineViolationError);
      expect((error as BaselineViolationError).code).toMatch(new RegExp(`^(${expected})$`));
    }
    const texts = [
      inspect(error, { showHidden: true, depth: 5 }),
      JSON.stringify(error) ?? "",
      inspect(factory, { showHidden: true, depth: 5 }),
      JSON.stringify(factory) ?? "",
    ];
    for (const text of texts) {
      for (const secret of [SECRET, PASSWORD, KEY]) expect(text).not.toContain(secret.slice(0, 16));
    }
    return factory?.close().then(() => {
      const log = readFileSync(auditFile, "utf8");
      for (const secret of [SECRET, PASSWORD, KEY]) expect(log).not.toContain(secret.slice(0, 16));
    });
  });

  it("key material elsewhere in the environment is named in a config.warning record, never its value", async () => {
    const auditFile = join(dir, "key-material.log");
    const factory = AcsClientFactory.fromEnvironment(
      { audit: { destination: auditFile } },
      {
        ...ids,
        AZURE_CLIENT_CERTIFICATE_PATH: plainPath,
        ACS_CONNECTION_STRING: `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`,
        LEGACY: `accesskey=${KEY};endpoint=https://x.communication.azure.com`,
      },
    );
    expect(factory.credentialType).toBe("certificate");
    await factory.close();
    const log = readFileSync(auditFile, "utf8");
    expect(log).not.toContain(KEY.slice(0, 16));
    const warning = log
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { level: string; event: { action: string }; variables?: string[] })
      .find((r) => r.event.action === "config.warning" && r.variables !== undefined);
    expect(warning).toMatchObject({ level: "warn", variables: ["ACS_CONNECTION_STRING", "LEGACY"] });
  });
});
