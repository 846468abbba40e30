/**
 * `sweepEstate` and `acs-baseline sweep` against an independent Resource Graph fake that answers as the REST spec
 * (api-version 2024-04-01) allows and our emulator never does: an empty page that still carries a `$skipToken`, rows
 * as a table, casing that differs between tables, absent and unknown properties, results truncated without a
 * `$skipToken`, a `$skipToken` that comes back, throttling (429 with `Retry-After`, or only
 * `x-ms-user-quota-resets-after`), and error bodies that are not `{error:{code,message}}`.
 */
import { describe, expect, it } from "vitest";
import { createSweepCommand } from "../../packages/cli/src/commands/sweep.js";
import { GraphReadError } from "../../packages/cli/src/estate/resourceGraph.js";
import { UNKNOWN_ROLE_NAME } from "../../packages/cli/src/estate/keyReaders.js";
import { sweepEstate } from "../../packages/cli/src/estate/sweepEstate.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { runCaptured } from "../support/captureOutput.js";
import type { SpecFake, SpecReply, SpecRequest } from "../support/specArmFake.js";
import { graphPage } from "../support/specArmFake.js";
import { specClientOptions, specEnvironment, specSessionOptions, useSpecFake } from "../support/specArmSession.js";

let emu: Emulator;
let app: TestApplication;
let fake: SpecFake;
const dir = useSpecFake("acs-sweep-spec-", (setup) => ({ emu, app, fake } = setup));

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const RG = `/subscriptions/${SUB}/resourceGroups/RG-Acs`;
const ACS_OPEN = `${RG}/providers/Microsoft.Communication/CommunicationServices/acs-open`;
const ACS_CLOSED = `${RG}/providers/Microsoft.Communication/CommunicationServices/acs-closed`;

/** Which table a Resource Graph request asks, from its query. */
function tableOf(request: SpecRequest): string {
  const query = (request.body as { query?: string }).query ?? "";
  for (const t of [
    "policyassignments",
    "policysetdefinitions",
    "policyexemptions",
    "roleassignments",
    "roledefinitions",
  ])
    if (query.includes(`/${t}'`)) return t;
  return query.split(" ")[0] ?? "";
}
const skipTokenOf = (request: SpecRequest) =>
  (request.body as { options?: { $skipToken?: string } }).options?.$skipToken;

/** A small estate, in what the spec allows: the context tables by default, `resources` in two pages and an empty one. */
function estate(overrides: Partial<Record<string, (request: SpecRequest) => SpecReply>> = {}) {
  fake.handle((request) => {
    if (request.method !== "POST" || request.path !== "/providers/microsoft.resourcegraph/resources") return undefined;
    const table = tableOf(request);
    const override = overrides[table];
    if (override !== undefined) return override(request);
    switch (table) {
      case "resourcecontainers":
        return graphPage([
          {
            id: `/subscriptions/${SUB}`,
            subscriptionId: SUB,
            managementGroupAncestorsChain: [{ name: "Root-MG", displayName: "Root" }],
          },
        ]);
      case "policyassignments":
      case "policysetdefinitions":
      case "policyexemptions":
        return graphPage([]);
      case "roleassignments":
        return graphPage([
          {
            // Resource Graph lower-cases; the resource id above is mixed case.
            id: `${RG.toLowerCase()}/providers/microsoft.authorization/roleassignments/1`,
            scope: RG.toLowerCase(),
            principalId: "11111111-1111-4111-8111-111111111111",
            principalType: "ServicePrincipal",
            roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${OWNER.toUpperCase()}`,
          },
        ]);
      case "roledefinitions":
        return graphPage([
          {
            id: `/providers/Microsoft.Authorization/RoleDefinitions/${OWNER}`,
            roleName: "Owner",
            permissions: [{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }],
            unknownMember: { future: true },
          },
        ]);
      case "resources": {
        const token = skipTokenOf(request);
        if (token === undefined)
          return graphPage(
            [{ id: ACS_OPEN, name: "acs-open", subscriptionId: SUB, resourceGroup: "rg-acs", location: "global" }],
            "page-2",
          );
        // An empty page that still carries a $skipToken: the spec allows it; the rest follows.
        if (token === "page-2") return graphPage([], "page-3");
        return graphPage([
          {
            id: ACS_CLOSED,
            name: "acs-closed",
            subscriptionId: SUB,
            resourceGroup: "rg-acs",
            location: "global",
            disableLocalAuth: true,
            somethingNew: "ignored",
          },
        ]);
      }
      default:
        return undefined;
    }
  });
}

const options = (maxRetries = 0) => specSessionOptions(emu, app, fake, maxRetries);
const resourceRequests = () => fake.requests.filter((r) => tableOf(r) === "resources");

describe("sweep against a spec-shaped Resource Graph", () => {
  it("an assignment whose role definition Resource Graph does not return is counted, unless a built-in known not to grant keys", async () => {
    const assignment = (n: number, role: string) => ({
      id: `${RG.toLowerCase()}/providers/microsoft.authorization/roleassignments/${n}`,
      scope: RG.toLowerCase(),
      principalId: `${n}1111111-1111-4111-8111-111111111111`,
      principalType: "ServicePrincipal",
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    });
    estate({
      roleassignments: () =>
        graphPage([
          assignment(1, "9f2c1d7e-0000-4000-8000-00000000c0de"), // a deleted custom role
          assignment(2, "B24988AC-6180-42A0-AB88-20F7382DD24C"), // Contributor, not in the answer
          assignment(3, "acdd72a7-3385-48ef-bd42-f606fba81ae7"), // Reader, not in the answer
        ]),
      roledefinitions: () => graphPage([]),
    });
    const result = await sweepEstate(options());
    expect(result.unreadable).toEqual([]);
    expect(result.resources[0]?.keyReaders?.map((k) => [k.principalId.slice(0, 1), k.roleName])).toEqual([
      ["1", UNKNOWN_ROLE_NAME],
      ["2", "Contributor"],
    ]);
  });

  it("follows $skipToken across an empty page, ignores unknown members, and matches scopes and role ids in any case", async () => {
    estate();
    const result = await sweepEstate(options());
    expect(result.unreadable).toEqual([]);
    expect(result.resources.map((r) => [r.name, r.localAuth])).toEqual([
      ["acs-open", "enabled"], // disableLocalAuth absent: keys accepted
      ["acs-closed", "disabled"],
    ]);
    expect(result.resources[0]?.keyReaders?.map((k) => k.roleName)).toEqual(["Owner"]);
    expect(resourceRequests().map(skipTokenOf)).toEqual([undefined, "page-2", "page-3"]);
    for (const r of fake.requests) {
      expect(r.query.get("api-version")).toBe("2024-04-01");
      expect((r.body as { options?: { resultFormat?: string } }).options?.resultFormat).toBe("objectArray");
    }
  });

  it("matches policy parameter names case-insensitively, as Azure Policy does (a direct assignment's Effect)", async () => {
    estate({
      policyassignments: () =>
        graphPage([
          {
            id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/policyAssignments/deny-local-auth`,
            scope: `/subscriptions/${SUB}`,
            policyDefinitionId:
              "/providers/Microsoft.Authorization/policyDefinitions/FC264132-DB9C-4302-BB7D-3994C36461FE",
            enforcementMode: "default",
            parameters: { Effect: { value: "deny" } },
          },
        ]),
    });
    const result = await sweepEstate(options());
    expect(result.resources.map((r) => r.policy.status)).toEqual(["deny", "deny"]);
  });

  it("reads rows sent as a table (columns and rows) as well as an object array", async () => {
    estate({
      resources: () => ({
        json: {
          totalRecords: 1,
          count: 1,
          resultTruncated: "false",
          data: {
            columns: [
              { name: "id", type: "string" },
              { name: "name", type: "string" },
              { name: "subscriptionId", type: "string" },
              { name: "resourceGroup", type: "string" },
              { name: "location", type: "string" },
              { name: "disableLocalAuth", type: "boolean" },
            ],
            rows: [[ACS_CLOSED, "acs-closed", SUB, "rg-acs", "global", true]],
          },
        },
      }),
    });
    const result = await sweepEstate(options());
    expect(result.resources.map((r) => [r.id, r.localAuth])).toEqual([[ACS_CLOSED, "disabled"]]);
  });

  it("reports a context table truncated without a $skipToken as unreadable, never as a short table", async () => {
    estate({
      resourcecontainers: () =>
        graphPage([{ subscriptionId: SUB, managementGroupAncestorsChain: [] }], undefined, {
          resultTruncated: "true",
        }),
    });
    const result = await sweepEstate(options());
    expect(result.unreadable).toEqual([
      { table: "resourcecontainers", reason: expect.stringContaining("truncated") as string },
    ]);
    expect(result.summary.unprotected).toBeNull();
    expect(result.resources.every((r) => r.policy.status === "unknown" && r.keyReaders === null)).toBe(true);
  });

  it("refuses an answer limited to the first 10,000 subscriptions (x-ms-tenant-subscription-limit-hit)", async () => {
    estate({
      resources: () => ({
        ...graphPage([{ id: ACS_CLOSED, name: "acs-closed", disableLocalAuth: true }]),
        headers: { "x-ms-tenant-subscription-limit-hit": "true" },
      }),
    });
    await expect(sweepEstate(options())).rejects.toThrow(/first 10,000 subscriptions/);
  });

  it("stops when a $skipToken comes back instead of asking for ever", async () => {
    estate({ resources: () => graphPage([], "same-token") });
    await expect(sweepEstate(options())).rejects.toThrow(GraphReadError);
    expect(resourceRequests().length).toBe(2);
  });

  it("waits out a 429 that names only x-ms-user-quota-resets-after, then reads on", async () => {
    let throttled = 0;
    estate({
      resources: (request) =>
        throttled++ === 0
          ? {
              status: 429,
              headers: { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:01" },
              json: { error: { code: "RateLimiting", message: "Too many." } },
            }
          : graphPage(
              [
                {
                  id: ACS_CLOSED,
                  name: "acs-closed",
                  subscriptionId: SUB,
                  resourceGroup: "rg-acs",
                  location: "global",
                  disableLocalAuth: true,
                },
              ],
              skipTokenOf(request),
            ),
    });
    const started = Date.now();
    const result = await sweepEstate(options());
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(result.resources.map((r) => r.localAuth)).toEqual(["disabled"]);
    expect(result.requests).toBe(fake.requests.length); // the throttled attempt counts as sent
  });

  it("honours Retry-After on a 429 (asked again by the sweep itself, not by the SDK)", async () => {
    let throttled = 0;
    estate({
      resources: () =>
        throttled++ === 0
          ? {
              status: 429,
              headers: { "retry-after": "1" },
              json: { error: { code: "RateLimiting", message: "Too many." } },
            }
          : graphPage([]),
    });
    const result = await sweepEstate(options(1));
    expect(result.resources).toEqual([]);
    expect(resourceRequests().length).toBe(2);
    expect(result.requests).toBe(fake.requests.length);
  });

  it.each([
    [
      "a gateway's HTML page",
      { status: 503, text: "<html><body>Service Unavailable key=abc123SECRET</body></html>" },
      /Resource Graph answered 503\b/,
    ],
    [
      "an OData error",
      { status: 400, json: { "odata.error": { code: "BadQuery", message: { value: "SECRETVALUE" } } } },
      /answered 400 \(BadQuery\)/,
    ],
    [
      "a bare {code,message}",
      { status: 403, json: { code: "AuthorizationFailed", message: "SECRETVALUE" } },
      /answered 403 \(AuthorizationFailed\)/,
    ],
    ["an empty body", { status: 500, text: "" }, /answered 500/],
  ] as const)(
    "describes %s by status and code, without quoting the body (CLI exit 2)",
    async (_what, reply, expected) => {
      estate({ resources: () => reply });
      const command = createSweepCommand({ clientOptions: specClientOptions(emu, fake) });
      const run = await runCaptured((io) =>
        command(["--format", "json"], { ...io, env: specEnvironment(emu, app, fake), cwd: dir, stderrIsTTY: false }),
      );
      expect(run.code).toBe(2);
      expect(run.err).toMatch(expected);
      expect(run.err).not.toMatch(/TypeError|SECRET|<html>|unreachable/);
    },
  );

  it("reports a context table answered with a non-ARM error body by status, not as unreachable", async () => {
    estate({ roledefinitions: () => ({ status: 502, text: "Bad Gateway" }) });
    const result = await sweepEstate(options());
    expect(result.unreadable).toEqual([{ table: "authorizationresources", reason: "Resource Graph answered 502" }]);
  });
});

const SUB2 = "1c2f6471-1bf0-4dda-aec3-cb9272f09591";
const ACS_OTHER = `/subscriptions/${SUB2}/resourceGroups/rg-acs/providers/Microsoft.Communication/communicationServices/acs-other`;
const row = (id: string, name: string, subscriptionId = SUB) => ({
  id,
  name,
  subscriptionId,
  resourceGroup: "rg-acs",
  location: "global",
  disableLocalAuth: true,
});
const denyAssignment = (id: string, scope: unknown) => ({
  id,
  scope,
  policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/fc264132-db9c-4302-bb7d-3994c36461fe",
  enforcementMode: "Default",
  parameters: { effect: { value: "Deny" } },
});

describe("sweep: what it cannot see is unknown, never none", () => {
  it("a subscription missing from resourcecontainers: its resources' policy is unknown and key readers null, and unreadable names it", async () => {
    estate({
      resources: () => graphPage([row(ACS_CLOSED, "acs-closed"), row(ACS_OTHER, "acs-other", SUB2)]),
      roleassignments: () =>
        graphPage([
          {
            id: "/providers/Microsoft.Management/managementGroups/Root-MG/providers/Microsoft.Authorization/roleAssignments/1",
            scope: "/providers/Microsoft.Management/managementGroups/Root-MG",
            principalId: "11111111-1111-4111-8111-111111111111",
            principalType: "User",
            roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
          },
        ]),
    });
    const result = await sweepEstate(options());
    const [known, other] = result.resources;
    expect(known?.keyReaders?.map((k) => k.roleName)).toEqual(["Owner"]);
    expect(other).toMatchObject({ name: "acs-other", keyReaders: null, policy: { status: "unknown" } });
    expect(result.unreadable).toEqual([
      { table: "resourcecontainers", reason: expect.stringContaining(`subscription ${SUB2} is not in it`) as string },
    ]);
    expect(result.summary).toMatchObject({ unprotected: null, keyReaders: null });
  });

  it("a page whose data is in neither documented shape, or holds another number of rows than its count, is unreadable", async () => {
    estate({
      roleassignments: () => graphPage([], undefined, { count: 3 }),
      resources: () => ({
        json: { totalRecords: 1, count: 1, resultTruncated: "false", data: { value: [row(ACS_CLOSED, "x")] } },
      }),
    });
    await expect(sweepEstate(options())).rejects.toThrow(/neither an object array nor a table/);
    estate({ roleassignments: () => graphPage([], undefined, { count: 3 }) });
    const result = await sweepEstate(options());
    expect(result.unreadable).toEqual([
      { table: "authorizationresources", reason: expect.stringContaining("holds 3 rows but holds 0") as string },
    ]);
    expect(result.resources.every((r) => r.keyReaders === null)).toBe(true);
  });

  it("an assignment without a scope covers the scope in its id only, and nothing when its id names none", async () => {
    const inOther = `/subscriptions/${SUB2}/providers/Microsoft.Authorization/policyAssignments/deny-other`;
    const inMine = `/subscriptions/${SUB}/providers/Microsoft.Authorization/policyAssignments/deny-mine`;
    estate({ policyassignments: () => graphPage([denyAssignment(inOther, null), denyAssignment("deny-nowhere", "")]) });
    expect((await sweepEstate(options())).resources.map((r) => r.policy.status)).toEqual(["none", "none"]);
    estate({ policyassignments: () => graphPage([denyAssignment(inMine, null)]) });
    const mine = await sweepEstate(options());
    expect(mine.resources.map((r) => r.policy.status)).toEqual(["deny", "deny"]);
    expect(mine.resources[0]?.policy.assignments[0]?.scope).toBe(`/subscriptions/${SUB}`);
  });
});

describe("sweep: throttling and the request count", () => {
  it("counts every request sent: the SDK's own retry of a 503 and the sweep's of a 429", async () => {
    let n = 0;
    estate({
      resources: () =>
        ++n === 1
          ? { status: 503, json: { error: { code: "ServiceUnavailable", message: "Busy." } } }
          : n === 2
            ? {
                status: 429,
                headers: { "retry-after": "0" },
                json: { error: { code: "RateLimiting", message: "Slow." } },
              }
            : graphPage([row(ACS_CLOSED, "acs-closed")]),
    });
    const result = await sweepEstate(options(2));
    expect(resourceRequests().length).toBe(3);
    expect(result.requests).toBe(fake.requests.length);
  });

  it("caps the wait for a 429 at 10 s whatever its Retry-After says (its own retry, not the SDK's), and says so on an interactive stderr", async () => {
    estate({
      resources: () => ({
        status: 429,
        headers: { "retry-after": "3600" },
        json: { error: { code: "RateLimiting", message: "Slow." } },
      }),
    });
    // timeoutMs bounds the whole sweep at 20 times it: 6 s, less than the first wait.
    const command = createSweepCommand({ clientOptions: specClientOptions(emu, fake, 2), timeoutMs: 300 });
    const started = Date.now();
    const run = await runCaptured((io) =>
      command(["--format", "json"], { ...io, env: specEnvironment(emu, app, fake), cwd: dir, stderrIsTTY: true }),
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      "acs-baseline sweep: Resource Graph is throttling (429): asking again in 10 s (retry 1 of 3)",
    );
  });
});
