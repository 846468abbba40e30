/**
 * Posture's ARM reads against a spec-shaped ARM that pages badly: a next page that never answers ends at `timeoutMs`
 * (the SDKs send `nextLink` pages without the first page's abort signal, so the deadline is bound at client level),
 * and a `nextLink` that repeats or never ends is given up on, well before it is asked for ever.
 */
import { describe, expect, it } from "vitest";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import type { CheckPostureOptions } from "../../packages/acs-baseline/src/posture/index.js";
import { ARM_PAGE_LIMIT } from "../../packages/acs-baseline/src/posture/armRequestLimits.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { check } from "../support/posture.js";
import type { SpecFake, SpecReply, SpecRequest } from "../support/specArmFake.js";
import { armPage } from "../support/specArmFake.js";
import { specSessionOptions, useSpecFake } from "../support/specArmSession.js";

let emu: Emulator;
let app: TestApplication;
let fake: SpecFake;
useSpecFake("acs-posture-paging-", (setup) => ({ emu, app, fake } = setup));

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const RESOURCE = `/subscriptions/${SUB}/resourceGroups/rg-acs/providers/Microsoft.Communication/communicationServices/acs-page`;
const DIAGNOSTICS = `${RESOURCE}/providers/microsoft.insights/diagnosticSettings`;
const ASSIGNMENTS = `${RESOURCE}/providers/Microsoft.Authorization/roleAssignments`;
const READER = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`;

const setting = {
  id: `${DIAGNOSTICS}/to-workspace`,
  name: "to-workspace",
  properties: {
    workspaceId: `/subscriptions/${SUB}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/w`,
    logs: [{ category: null, categoryGroup: "allLogs", enabled: true }],
    metrics: [],
  },
};

/** The app's Reader assignment at the resource. */
const readerAssignment = () => ({
  id: `${ASSIGNMENTS}/00000001-0000-4000-8000-000000000000`,
  name: "00000001-0000-4000-8000-000000000000",
  properties: {
    roleDefinitionId: READER,
    principalId: app.objectId,
    principalType: "ServicePrincipal",
    scope: RESOURCE,
  },
});

/** A healthy resource; `diagnostics` and `assignments` answer their lists (by default one page each). */
function serve(
  lists: { diagnostics?: (r: SpecRequest) => SpecReply; assignments?: (r: SpecRequest) => SpecReply } = {},
) {
  fake.handle((request) => {
    if (request.method !== "GET") return undefined;
    if (request.path === RESOURCE.toLowerCase())
      return {
        json: {
          id: RESOURCE,
          name: "acs-page",
          type: "Microsoft.Communication/CommunicationServices",
          location: "global",
          properties: { hostName: "acs-page.communication.azure.com", disableLocalAuth: true },
        },
      };
    if (request.path === DIAGNOSTICS.toLowerCase()) return (lists.diagnostics ?? (() => armPage([setting])))(request);
    if (request.path === ASSIGNMENTS.toLowerCase()) {
      const filter = request.query.get("$filter") ?? "";
      if (filter === "atScope()" && lists.assignments !== undefined) return lists.assignments(request);
      return armPage([readerAssignment()]);
    }
    if (request.path === READER.toLowerCase())
      return {
        json: {
          id: READER,
          name: "reader",
          properties: { roleName: "Reader", permissions: [{ actions: ["*/read"] }] },
        },
      };
    return undefined;
  });
}

const options = (extra: Partial<CheckPostureOptions> = {}): CheckPostureOptions => ({
  ...specSessionOptions(emu, app, fake),
  resourceId: RESOURCE,
  ...extra,
});

/** A nextLink to the list at `path` (with `query`) that carries `token`. */
const linkTo = (path: string, token: string, query = "api-version=2021-05-01-preview") =>
  `${fake.endpoint}${path}?${query}&$skipToken=${token}`;
const listRequests = (path: string) => fake.requests.filter((r) => r.path === path.toLowerCase());

describe("posture's ARM paging", () => {
  it("ends at timeoutMs when page 2 of the diagnostic settings never answers: the log checks are unknown", async () => {
    serve({
      diagnostics: (r) =>
        r.query.get("$skipToken") === null ? armPage([], linkTo(DIAGNOSTICS, "two")) : { hold: true },
    });
    const started = Date.now();
    const result = await checkPosture(options({ timeoutMs: 2_000 }));
    expect(Date.now() - started).toBeLessThan(6_000);
    for (const id of ["resource-logs", "auth-logs"] as const) {
      expect(check(result, id).status).toBe("unknown");
      expect(check(result, id).evidence).toContain("did not answer in time");
    }
    expect(listRequests(DIAGNOSTICS).map((r) => r.query.get("$skipToken"))).toEqual([null, "two"]);
    // The role reads do not wait for the stalled list: their checks are read, not unknown.
    expect(check(result, "app-principal-least-privilege").status).toBe("pass");
  }, 15_000);

  it.each([
    ["the same nextLink again", (token: string | null) => (token === null ? "a" : "a")],
    ["a loop of two nextLinks", (token: string | null) => (token === "a" ? "b" : "a")],
  ])(
    "gives up on %s: the log checks are unknown after a few requests",
    async (_what, nextToken) => {
      serve({ diagnostics: (r) => armPage([], linkTo(DIAGNOSTICS, nextToken(r.query.get("$skipToken")))) });
      const result = await checkPosture(options());
      expect(check(result, "resource-logs").status).toBe("unknown");
      expect(check(result, "resource-logs").evidence).toContain("nextLink it had already returned");
      expect(listRequests(DIAGNOSTICS).length).toBeLessThanOrEqual(4);
      expect(check(result, "local-auth-disabled").status).toBe("pass");
    },
    15_000,
  );

  it("gives up on role assignments whose nextLink repeats: the role checks are unknown, the others read", async () => {
    const atScope = "$filter=atScope()&api-version=2022-04-01";
    serve({ assignments: () => armPage([readerAssignment()], linkTo(ASSIGNMENTS, "same", atScope)) });
    const result = await checkPosture(options());
    expect(check(result, "key-access-principals").status).toBe("unknown");
    expect(check(result, "resource-logs").status).toBe("pass");
    expect(listRequests(ASSIGNMENTS).filter((r) => r.query.get("$filter") === "atScope()").length).toBe(2);
  }, 15_000);

  it(`stops a list that never ends after ${ARM_PAGE_LIMIT} pages: unknown, not read until the deadline`, async () => {
    let n = 0;
    serve({ diagnostics: () => armPage([], linkTo(DIAGNOSTICS, `p${++n}`)) });
    const result = await checkPosture(options({ timeoutMs: 60_000 }));
    expect(check(result, "resource-logs").status).toBe("unknown");
    expect(check(result, "resource-logs").evidence).toContain(`more than ${ARM_PAGE_LIMIT} pages`);
    expect(listRequests(DIAGNOSTICS).length).toBe(ARM_PAGE_LIMIT);
  }, 60_000);
});
