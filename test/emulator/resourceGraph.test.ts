/**
 * The emulator's Resource Graph through the real `@azure/arm-resourcegraph` client: the KQL subset is served, and
 * anything outside it (join, summarize, mv-expand, union, contains, unknown functions or tables) is refused with a
 * 400 that names the unsupported part. The KQL reader never throws anything but its own error on any input.
 */
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { ClientCertificateCredential } from "@azure/identity";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KqlUnsupportedError, parseKql, runKql } from "../../packages/emulator/src/arm/kql.js";
import { useEmulator } from "../support/useEmulator.js";

const ctx = useEmulator();

function client(): ResourceGraphClient {
  const { emu, app } = ctx;
  emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "subscription" });
  const credential = new ClientCertificateCredential(emu.tenantId, app.clientId, app.certificatePath, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.caCertificatePem },
  });
  return new ResourceGraphClient(credential, {
    endpoint: emu.arm.endpoint,
    credentials: { scopes: [emu.arm.tokenScope] },
    tlsOptions: { ca: emu.caCertificatePem },
    retryOptions: { maxRetries: 0 },
  });
}

describe("emulator Resource Graph", () => {
  it("serves the subset", async () => {
    const page = await client().resources({
      query:
        "resources | where type =~ 'Microsoft.Communication/communicationServices' and isnotempty(name) | project id, local = tobool(properties.disableLocalAuth), rg = tolower(resourceGroup)",
      options: { resultFormat: "objectArray" },
    });
    expect(page.totalRecords).toBe(1);
    expect(page.data).toEqual([{ id: ctx.emu.arm.resourceId, local: false, rg: "acs-emulator-rg" }]);
  });

  it("pages only results that carry id, as Resource Graph: without it the rest is cut off (resultTruncated, no $skipToken)", async () => {
    const { emu, app } = ctx;
    emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "root" });
    emu.arm.estate.addSubscription("paging-a");
    emu.arm.estate.addSubscription("paging-b");
    emu.arm.estate.setGraphPageSize(1);
    try {
      const query = "resourcecontainers | where type =~ 'microsoft.resources/subscriptions'";
      const withId = await client().resources({ query: `${query} | project id, subscriptionId` });
      expect(withId.skipToken).toEqual(expect.any(String));
      expect(withId.resultTruncated).toBe("false");
      const withoutId = await client().resources({ query: `${query} | project subscriptionId` });
      expect(withoutId.skipToken).toBeUndefined();
      expect(withoutId.resultTruncated).toBe("true");
      expect(withoutId.data).toHaveLength(1);
    } finally {
      emu.arm.estate.setGraphPageSize(1000);
    }
  });

  for (const [query, part] of [
    ["resources | join (resourcecontainers) on subscriptionId", "join"],
    ["resources | summarize count() by subscriptionId", "summarize"],
    ["resources | mv-expand properties", "mv-expand"],
    ["union resources, resourcecontainers", "union"],
    ["resources | where name contains 'acs'", "contains"],
    ["resources | project x = strcat(name, id)", "strcat()"],
    ["securityresources", "securityresources"],
  ] as const) {
    it(`refuses ${part} with a 400 naming it`, async () => {
      const error = await client()
        .resources({ query })
        .then(
          () => undefined,
          (e: unknown) => e as { statusCode?: number; message?: string },
        );
      expect(error?.statusCode).toBe(400);
      expect(error?.message).toContain(part);
    });
  }

  it("parses any text without throwing anything but KqlUnsupportedError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          runKql(parseKql(text), [{ id: "/x", name: "n", properties: { a: 1 } }]);
        } catch (error) {
          if (!(error instanceof KqlUnsupportedError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });
});
