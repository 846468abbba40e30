/**
 * `checkPosture` against an independent ARM fake that answers in Microsoft's public REST shapes, with what the specs
 * allow and our emulator does not do: ARM casing (`microsoft.communication/communicationservices`, `none`,
 * `AllLogs`, upper-case GUIDs), absent optional properties, unknown members, role assignments over several pages
 * with an empty one between, and throttling answered with `Retry-After`.
 */
import { describe, expect, it } from "vitest";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import type { CheckPostureOptions } from "../../packages/acs-baseline/src/posture/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { check } from "../support/posture.js";
import type { SpecFake, SpecReply, SpecRequest } from "../support/specArmFake.js";
import { armError, armPage } from "../support/specArmFake.js";
import { specSessionOptions, useSpecFake } from "../support/specArmSession.js";

let emu: Emulator;
let app: TestApplication;
let fake: SpecFake;
useSpecFake("acs-posture-spec-", (setup) => ({ emu, app, fake } = setup));

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const RESOURCE = `/subscriptions/${SUB}/resourceGroups/rg-acs/providers/Microsoft.Communication/communicationServices/acs-spec`;
const OWNER = "8E3AF657-A8FF-443C-A75C-2FE8C4BCB635";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const definitionId = (guid: string) =>
  `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

const assignment = (n: number, guid: string, principalId: string, scope: string) => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/0000000${n}-0000-4000-8000-000000000000`,
  name: `0000000${n}-0000-4000-8000-000000000000`,
  type: "Microsoft.Authorization/roleAssignments",
  properties: {
    roleDefinitionId: definitionId(guid),
    principalId,
    principalType: "ServicePrincipal",
    scope,
    condition: null,
    createdOn: "2024-01-01T00:00:00.0000000Z",
  },
});

const definition = (guid: string, roleName: string, actions: string[]) => ({
  id: definitionId(guid),
  name: guid,
  type: "Microsoft.Authorization/roleDefinitions",
  properties: {
    roleName,
    type: "BuiltInRole",
    description: "",
    assignableScopes: ["/"],
    permissions: [{ actions, notActions: [], dataActions: [], notDataActions: [] }],
  },
});

/** The resource as 2025-09-01 may return it; `identity` and `disableLocalAuth` as each test sets them. */
function resource(properties: Record<string, unknown>, identity?: unknown) {
  return {
    id: RESOURCE.toLowerCase(),
    name: "acs-spec",
    type: "microsoft.communication/communicationservices",
    location: "global",
    tags: {},
    systemData: { createdAt: "2024-01-01T00:00:00Z" },
    ...(identity !== undefined ? { identity } : {}),
    properties: {
      provisioningState: "Succeeded",
      hostName: "acs-spec.unitedstates.communication.azure.com",
      dataLocation: "United States",
      immutableResourceId: "f2b1e1c1-0000-4000-8000-000000000000",
      aFutureProperty: { nested: true },
      ...properties,
    },
  };
}

interface Estate {
  resource?: (request: SpecRequest) => SpecReply;
  diagnostics?: () => SpecReply;
  /** The atScope() role assignments, instead of the three pages. */
  assignments?: () => SpecReply;
  /** The app's role assignments (`assignedTo('…')` or `principalId eq '…'`), instead of Reader at the resource. */
  appAssignments?: (filter: string) => SpecReply;
}

/** Routes ARM requests by path, as ARM does (case-insensitively). */
function serve(estate: Estate = {}) {
  const base = RESOURCE.toLowerCase();
  fake.handle((request) => {
    if (request.method !== "GET") return undefined;
    if (request.path === base)
      return estate.resource?.(request) ?? { json: resource({ disableLocalAuth: true }, { type: "None" }) };
    if (request.path === `${base}/providers/microsoft.insights/diagnosticsettings`)
      return (
        estate.diagnostics?.() ??
        armPage([
          {
            id: `${RESOURCE}/providers/microsoft.insights/diagnosticSettings/to-workspace`,
            name: "to-workspace",
            properties: {
              workspaceId: `/subscriptions/${SUB}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/w`,
              logs: [{ category: null, categoryGroup: "AllLogs", enabled: true }],
              metrics: [],
            },
          },
        ])
      );
    if (request.path === `${base}/providers/microsoft.authorization/roleassignments`) {
      const filter = request.query.get("$filter") ?? "";
      if (filter.startsWith("principalId eq") || filter.startsWith("assignedTo("))
        return estate.appAssignments?.(filter) ?? armPage([assignment(3, READER, app.objectId, RESOURCE)]);
      if (estate.assignments !== undefined) return estate.assignments();
      // atScope(): three pages, the middle one empty; nextLink is absolute and carries its own $skipToken.
      const token = request.query.get("$skipToken");
      const next = (t: string) =>
        `${fake.endpoint}${RESOURCE}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()&api-version=${request.query.get("api-version") ?? ""}&$skipToken=${t}`;
      if (token === null) return armPage([assignment(1, READER, app.objectId, RESOURCE)], next("two"));
      if (token === "two") return armPage([], next("three"));
      return armPage([assignment(2, OWNER, "22222222-2222-4222-8222-222222222222", `/subscriptions/${SUB}`)]);
    }
    if (request.path === definitionId(OWNER).toLowerCase()) return { json: definition(OWNER, "Owner", ["*"]) };
    if (request.path === definitionId(READER).toLowerCase()) return { json: definition(READER, "Reader", ["*/read"]) };
    return undefined;
  });
}

const options = (extra: Partial<CheckPostureOptions> = {}, maxRetries = 0): CheckPostureOptions => ({
  ...specSessionOptions(emu, app, fake, maxRetries),
  resourceId: RESOURCE,
  endpoint: "https://acs-spec.unitedstates.communication.azure.com",
  ...extra,
});

describe("checkPosture against a spec-shaped ARM", () => {
  it("reads every source in the spec's shapes: casing, unknown members, paged role assignments with an empty page", async () => {
    serve();
    const result = await checkPosture(options());
    expect(check(result, "local-auth-disabled").status).toBe("pass");
    expect(check(result, "endpoint-matches").status).toBe("pass");
    expect(check(result, "resource-logs").status).toBe("pass");
    expect(check(result, "auth-logs").status).toBe("pass");
    const keys = check(result, "key-access-principals");
    expect(keys.status).toBe("pass"); // local auth is off
    expect((keys.details?.principals as { roleName: string }[]).map((p) => p.roleName)).toEqual(["Owner"]);
    expect(check(result, "app-principal-least-privilege").status).toBe("pass");
    const pages = fake.requests.filter((r) => r.query.get("$filter") === "atScope()");
    expect(pages.map((r) => r.query.get("$skipToken"))).toEqual([null, "two", "three"]);
    // One definition read per role, whatever the GUID's case in the assignment.
    expect(fake.requests.filter((r) => r.path.includes("/roledefinitions/")).length).toBe(2);
  });

  it("reads disableLocalAuth as not set when the resource leaves it out (api-versions before 2025-05-01)", async () => {
    serve({ resource: () => ({ json: resource({}) }) });
    const result = await checkPosture(options());
    expect(check(result, "local-auth-disabled").status).toBe("fail");
    expect(check(result, "local-auth-disabled").evidence).toContain("not set");
    expect(check(result, "key-access-principals").status).toBe("fail");
    expect(check(result, "managed-identity").status).toBe("warn"); // identity absent
  });

  it.each(["none", "NONE", "None"])(
    "reads identity type %s as no managed identity (ARM enums are case-insensitive)",
    async (type) => {
      serve({ resource: () => ({ json: resource({ disableLocalAuth: true }, { type, principalId: null }) }) });
      const result = await checkPosture(options());
      expect(check(result, "managed-identity").status).toBe("warn");
    },
  );

  it("reads an identity type in any case as one (systemassigned)", async () => {
    serve({ resource: () => ({ json: resource({ disableLocalAuth: true }, { type: "systemassigned" }) }) });
    expect(check(await checkPosture(options()), "managed-identity").status).toBe("pass");
  });

  it("waits out a 429 with Retry-After on the resource and reads it", async () => {
    let throttled = 0;
    serve({
      resource: () =>
        throttled++ === 0
          ? armError(429, "TooManyRequests", "Slow down.", { "retry-after": "1" })
          : { json: resource({ disableLocalAuth: true }, { type: "None" }) },
    });
    const result = await checkPosture(options({}, 1));
    expect(check(result, "local-auth-disabled").status).toBe("pass");
  });

  it("never follows a nextLink to another host with the ARM token: the role checks are unknown instead", async () => {
    const port = new URL(fake.endpoint).port;
    serve({
      assignments: () =>
        armPage(
          [],
          `https://localhost:${port}${RESOURCE}/providers/Microsoft.Authorization/roleAssignments?$skipToken=x`,
        ),
    });
    const result = await checkPosture(options());
    expect(check(result, "key-access-principals").status).toBe("unknown");
    expect(check(result, "local-auth-disabled").status).toBe("pass");
    expect(fake.requests.some((r) => r.headers.host?.startsWith("localhost"))).toBe(false);
  });

  it("says an answer the SDK cannot read (a list without its value array) could not be read, not that ARM is unreachable", async () => {
    serve({ diagnostics: () => ({ json: { nextLink: null } }) });
    const logs = check(await checkPosture(options()), "resource-logs");
    expect(logs.status).toBe("unknown");
    expect(logs.evidence).toMatch(/answer could not be read/);
    expect(logs.evidence).not.toMatch(/unreachable/);
  });

  it("makes only the resource's checks unknown when it answers with a non-ARM error body, naming status and code", async () => {
    serve({
      resource: () => ({ status: 400, json: { "odata.error": { code: "BadRequest", message: { value: "SECRET" } } } }),
    });
    const result = await checkPosture(options());
    const local = check(result, "local-auth-disabled");
    expect(local.status).toBe("unknown");
    expect(local.evidence).toMatch(/ARM answered 400/);
    expect(JSON.stringify(result)).not.toContain("SECRET");
    expect(check(result, "resource-logs").status).toBe("pass");
  });

  it("lists the app's rights with assignedTo('{oid}'); when ARM refuses that filter (400) it reads the direct ones and says unknown, not pass", async () => {
    const filters: string[] = [];
    serve({
      appAssignments: (filter) => {
        filters.push(filter);
        return filter.startsWith("assignedTo(")
          ? armError(400, "InvalidFilterInQueryString", "The filter is not supported.")
          : armPage([]);
      },
    });
    const c = check(await checkPosture(options()), "app-principal-least-privilege");
    expect(filters).toEqual([`assignedTo('${app.objectId}')`, `principalId eq '${app.objectId}'`]);
    expect(c.status).toBe("unknown");
    expect(c.evidence).toContain("no direct role assignment, yet it could read the resource");
    expect(c.evidence).toContain("ARM refused $filter=assignedTo() (ARM answered 400 (InvalidFilterInQueryString))");
  });

  it("counts a role the app holds through a group (assignedTo lists it): Owner through a group fails", async () => {
    const GROUP = "cccccccc-0000-4000-8000-00000000000c";
    serve({
      appAssignments: (filter) =>
        filter.startsWith("assignedTo(")
          ? armPage([assignment(4, OWNER, GROUP, `/subscriptions/${SUB}/resourceGroups/rg-acs`)])
          : armPage([]),
    });
    const c = check(await checkPosture(options()), "app-principal-least-privilege");
    expect(c.status).toBe("fail");
    expect(c.evidence).toContain(`(through principal ${GROUP})`);
  });
});
