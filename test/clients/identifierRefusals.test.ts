/**
 * The tenant and client ID are refused with a code (a BaselineViolationError and a `refuse` record, the value never
 * shown) where they would otherwise reach `@azure/identity` or Entra wrongly: a tenant ID `@azure/identity` rejects
 * with a plain Error in its credential constructors (`checkTenantId`: ASCII letters, digits, "-" and "."), and an ACS
 * access key given as the tenant or client ID (KEY_CREDENTIAL_REFUSED, as for the client secret).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { AcsClientFactoryOptions, BaselineViolationCode } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import { readJsonLines } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60";
const RESOURCE_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/contoso";
const dir = tempDir("acs-identifier-refusals-");
const canary = () => `CANARY${randomBytes(18).toString("base64url")}`;
/** An access key (64 bytes as base64: 86 characters and padding) that begins with `text`. */
const accessKeyWith = (text: string) => `${text}${"A".repeat(86 - text.length)}==`;

const secretOptions = (extra: Partial<AcsClientFactoryOptions>): AcsClientFactoryOptions => ({
  endpoint: "https://contoso.communication.azure.com",
  tenantId: TENANT,
  clientId: CLIENT,
  clientSecret: "an-entra-client-secret~value",
  ...extra,
});

/** The factory refuses with `code`, a `refuse` record is written, and the planted value appears nowhere. */
function expectRefusal(make: (value: string) => Partial<AcsClientFactoryOptions>, code: BaselineViolationCode): void {
  const value = canary();
  const destination = join(dir, `${code}-${value.slice(6, 14)}.log`);
  let error: unknown;
  try {
    new AcsClientFactory(secretOptions({ ...make(value), audit: { destination } }));
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(BaselineViolationError);
  const e = error as BaselineViolationError;
  expect(e.code).toBe(code);
  for (const text of [e.message, e.stack ?? "", inspect(e, { depth: 5, showHidden: true }), JSON.stringify(e)])
    expect(text).not.toContain(value.slice(6, 20));
  const log = readFileSync(destination, "utf8");
  expect(log).not.toContain(value.slice(6, 20));
  const refuse = readJsonLines<{ event: { action: string }; error?: { code: string } }>(destination).find(
    (r) => r.event.action === "refuse",
  );
  expect(refuse).toMatchObject({ error: { code } });
}

describe("tenant and client ID refusals", () => {
  it.each([
    ["a path", (v: string) => `../${v}`],
    ["a slash", (v: string) => `${v}/b`],
    ["a query", (v: string) => `${v}?y`],
    ["a space", (v: string) => `con toso${v}`],
    ["an underscore", (v: string) => `a_${v}`],
    ["a non-ASCII letter", (v: string) => `contosö${v}.com`],
  ])("a tenant ID with %s is CREDENTIAL_NOT_CONFIGURED, not @azure/identity's plain Error", (_name, tenant) => {
    expectRefusal((v) => ({ tenantId: tenant(v) }), "CREDENTIAL_NOT_CONFIGURED");
    // every credential the factory builds: the certificate, workload identity and secret all take the tenant ID
    expect(
      () =>
        new AcsClientFactory(
          secretOptions({ tenantId: tenant("x"), clientSecret: undefined, workloadIdentity: { tokenFilePath: "/x" } }),
        ),
    ).toThrow(
      expect.objectContaining({ code: "CREDENTIAL_NOT_CONFIGURED", message: expect.stringMatching(/tenantId/) }),
    );
  });

  it("accepts what @azure/identity accepts: a GUID, a domain, common and organizations; any tenant next to the caller's credential", () => {
    for (const tenantId of [TENANT, "contoso.onmicrosoft.com", "common", "organizations", "a-b.C"])
      expect(() => new AcsClientFactory(secretOptions({ tenantId }))).not.toThrow();
    const credential = { getToken: () => Promise.resolve(null) };
    expect(
      () => new AcsClientFactory(secretOptions({ tenantId: "a/b", clientSecret: undefined, credential })),
    ).not.toThrow();
  });

  it("an ACS access key as the tenant ID, client ID or managed identity's client ID is KEY_CREDENTIAL_REFUSED", () => {
    expectRefusal((v) => ({ clientId: accessKeyWith(v) }), "KEY_CREDENTIAL_REFUSED");
    expectRefusal((v) => ({ tenantId: accessKeyWith(v) }), "KEY_CREDENTIAL_REFUSED");
    expectRefusal(
      (v) => ({ clientSecret: undefined, tenantId: undefined, managedIdentity: { clientId: accessKeyWith(v) } }),
      "KEY_CREDENTIAL_REFUSED",
    );
    const hexKey = randomBytes(64).toString("hex");
    expect(() => new AcsClientFactory(secretOptions({ clientId: hexKey }))).toThrow(
      expect.objectContaining({ code: "KEY_CREDENTIAL_REFUSED", message: expect.not.stringContaining(hexKey) }),
    );
  });

  it("checkPosture refuses the same tenant ID and access key with the same codes, before anything is sent", async () => {
    const posture = (extra: object) =>
      checkPosture({ resourceId: RESOURCE_ID, tenantId: TENANT, clientId: CLIENT, clientSecret: "s~x", ...extra });
    await expect(posture({ tenantId: "a/b" })).rejects.toMatchObject({ code: "CREDENTIAL_NOT_CONFIGURED" });
    await expect(posture({ clientId: accessKeyWith("k") })).rejects.toMatchObject({ code: "KEY_CREDENTIAL_REFUSED" });
  });
});
