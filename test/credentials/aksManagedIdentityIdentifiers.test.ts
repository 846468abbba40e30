// Managed identity on AKS: with managed identity opted in in code (`managedIdentity: {}`) and the AKS workload-
// identity variables in process.env, the factory builds workload identity federation from AZURE_CLIENT_ID,
// AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE as read at construction (credentialEnvironment in
// clients/factoryCredential.ts). Those IDs never went through the options' checks, so that function checks them as
// the options are: an ACS access key or a connection string as AZURE_CLIENT_ID or AZURE_TENANT_ID would be sent to
// Microsoft Entra ID (as client_id, in the authority path) together with the pod's federated token, and a tenant ID
// @azure/identity rejects would escape as its plain Error. Each must be refused at construction with the factory's
// code and a `refuse` record, the value never shown, nothing sent to Entra. Real factory, real emulator; this file
// runs in its own process (vitest forks), so process.env is its own.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BaselineViolationCode } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication, TestWorkloadIdentity } from "../../packages/emulator/src/index.js";
import { ACS_SCOPE, emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const dir = tempDir("acs-aks-ids-");
const started = useEmulator({ application: { directory: dir } });
let emu: Emulator;
let app: TestApplication;
let wi: TestWorkloadIdentity;

beforeAll(async () => {
  ({ emu, app } = started);
  wi = await emu.createTestWorkloadIdentity({ directory: dir });
});

const AKS = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"] as const;
afterEach(() => {
  for (const name of AKS) delete process.env[name];
});

/** The AKS webhook's variables, with `extra` instead of the good ones. */
function setAks(extra: Partial<Record<(typeof AKS)[number], string>>): void {
  Object.assign(process.env, {
    AZURE_CLIENT_ID: wi.clientId,
    AZURE_TENANT_ID: emu.tenantId,
    AZURE_FEDERATED_TOKEN_FILE: wi.tokenFilePath,
    ...extra,
  });
}

/** A factory that opts in to managed identity in code, with no tenant or client ID of its own. */
function managedFactory(audit: string): AcsClientFactory {
  const { certificate: _c, clientId: _id, tenantId: _t, ...options } = emulatorFactoryOptions(emu, app);
  return new AcsClientFactory({ ...options, managedIdentity: {}, audit: { destination: audit } });
}

const entraRequests = () => emu.requests.filter((r) => r.side === "entra").length;

/** Construction is refused with `code`; `probe` (random text of the value) appears nowhere; a `refuse` record; nothing reached Entra. */
function expectRefused(probe: string, code: BaselineViolationCode, message: RegExp): void {
  const audit = join(dir, `refused-${randomBytes(6).toString("hex")}.log`);
  const before = entraRequests();
  let error: unknown;
  try {
    managedFactory(audit);
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(BaselineViolationError);
  const e = error as BaselineViolationError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  for (const text of [e.message, e.stack ?? "", inspect(e, { depth: 5, showHidden: true }), JSON.stringify(e)])
    expect(text).not.toContain(probe);
  expect(readFileSync(audit, "utf8")).not.toContain(probe);
  const refuse = readJsonLines<{ event: { action: string }; error?: { code: string } }>(audit).find(
    (r) => r.event.action === "refuse",
  );
  expect(refuse).toMatchObject({ error: { code } });
  expect(entraRequests()).toBe(before);
}

const base64Key = () => randomBytes(64).toString("base64");
const hexKey = () => randomBytes(64).toString("hex");

describe("managed identity on AKS: the IDs read from the environment are checked as options are", () => {
  it("control: good variables give workload identity federation and a token", async () => {
    setAks({});
    const factory = managedFactory(join(dir, "control.log"));
    try {
      expect(factory.credentialType).toBe("workload-identity");
      expect((await factory.credential.getToken(ACS_SCOPE))?.token).toBeTruthy();
    } finally {
      await factory.close();
    }
  });

  it.each([
    ["base64", base64Key],
    ["hex", hexKey],
  ])("an ACS access key (%s) as AZURE_CLIENT_ID is KEY_CREDENTIAL_REFUSED", (_kind, key) => {
    const value = key();
    setAks({ AZURE_CLIENT_ID: value });
    expectRefused(value.slice(4, 24), "KEY_CREDENTIAL_REFUSED", /managedIdentity\.clientId \(AZURE_CLIENT_ID\)/);
  });

  it.each([
    ["base64", base64Key],
    ["hex", hexKey],
  ])("an ACS access key (%s) as AZURE_TENANT_ID is KEY_CREDENTIAL_REFUSED", (_kind, key) => {
    const value = key();
    setAks({ AZURE_TENANT_ID: value });
    expectRefused(value.slice(4, 24), "KEY_CREDENTIAL_REFUSED", /tenantId \(AZURE_TENANT_ID\)/);
  });

  it("a connection string as AZURE_CLIENT_ID is CONNECTION_STRING_REFUSED", () => {
    const key = base64Key();
    setAks({ AZURE_CLIENT_ID: `endpoint=https://contoso.communication.azure.com/;accesskey=${key}` });
    expectRefused(key.slice(4, 24), "CONNECTION_STRING_REFUSED", /connection string/i);
  });

  it.each(["../", "con toso", "a_", "contosö.com/"])(
    "a tenant ID @azure/identity rejects (%s…) is CREDENTIAL_NOT_CONFIGURED naming tenantId, not a plain Error",
    (prefix) => {
      const random = randomBytes(12).toString("hex");
      setAks({ AZURE_TENANT_ID: `${prefix}${random}` });
      expectRefused(random, "CREDENTIAL_NOT_CONFIGURED", /tenantId \(AZURE_TENANT_ID\)/);
    },
  );
});
