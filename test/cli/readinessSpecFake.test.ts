/**
 * `checkReadiness` and `acs-baseline readiness` against an independent ARM fake in Microsoft's public REST shapes:
 * the resource (2025-09-01) with `disableLocalAuth` absent or not a JSON boolean, and the Activity Log (2015-04-01)
 * over several `nextLink` pages with an empty one between, key events in ARM's casing with unknown members, a 429 with
 * `Retry-After`, and an error body that is not `{error:{code,message}}`.
 */
import { describe, expect, it } from "vitest";
import { createReadinessCommand } from "../../packages/cli/src/commands/readiness.js";
import { checkReadiness } from "../../packages/cli/src/estate/readiness.js";
import type { ReadinessOptions } from "../../packages/cli/src/estate/readiness.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { runCaptured } from "../support/captureOutput.js";
import type { SpecFake, SpecReply } from "../support/specArmFake.js";
import { armError, armPage } from "../support/specArmFake.js";
import { specClientOptions, specEnvironment, specSessionOptions, useSpecFake } from "../support/specArmSession.js";

let emu: Emulator;
let app: TestApplication;
let fake: SpecFake;
const dir = useSpecFake("acs-readiness-spec-", (setup) => ({ emu, app, fake } = setup));

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const RESOURCE = `/subscriptions/${SUB}/resourceGroups/rg-acs/providers/Microsoft.Communication/communicationServices/acs-spec`;
const NOW = new Date("2026-12-01T00:00:00Z");
const ACTIVITY = `/subscriptions/${SUB}/providers/microsoft.insights/eventtypes/management/values`;

const resource = (properties: Record<string, unknown>) => ({
  json: {
    id: RESOURCE.toLowerCase(),
    name: "acs-spec",
    type: "microsoft.communication/communicationservices",
    location: "global",
    properties: { provisioningState: "Succeeded", hostName: "acs-spec.communication.azure.com", ...properties },
  },
});

/** One Activity Log event as the 2015-04-01 EventData shape has it (with members we never read). */
const event = (status: string, correlationId: string, at: string) => ({
  authorization: { action: "Microsoft.Communication/CommunicationServices/ListKeys/action", scope: RESOURCE },
  caller: "deploy@contoso.example",
  channels: "Operation",
  claims: {
    appid: "3f1b2c4d-0000-4000-8000-000000000000",
    "http://schemas.microsoft.com/identity/claims/objectidentifier": "9a8b7c6d-0000-4000-8000-000000000000",
    aud: "https://management.core.windows.net/",
  },
  correlationId,
  description: "",
  eventDataId: `${correlationId}-${status}`,
  eventName: { value: "EndRequest", localizedValue: "End request" },
  category: { value: "Administrative", localizedValue: "Administrative" },
  id: `${RESOURCE}/events/${correlationId}-${status}/ticks/1`,
  level: "Informational",
  operationId: correlationId,
  operationName: {
    value: "Microsoft.Communication/CommunicationServices/ListKeys/action",
    localizedValue: "List keys",
  },
  resourceGroupName: "RG-ACS",
  resourceProviderName: { value: "Microsoft.Communication", localizedValue: "Microsoft.Communication" },
  resourceId: RESOURCE.toUpperCase(),
  resourceType: { value: "Microsoft.Communication/CommunicationServices", localizedValue: "" },
  status: { value: status, localizedValue: status },
  subStatus: { value: "", localizedValue: "" },
  eventTimestamp: at,
  submissionTimestamp: at,
  subscriptionId: SUB,
  tenantId: emu.tenantId,
  somethingNew: { ignored: true },
});

function serve(replies: { resource?: () => SpecReply; activity?: (token: string | null) => SpecReply } = {}) {
  fake.handle((request) => {
    if (request.method !== "GET") return undefined;
    if (request.path === RESOURCE.toLowerCase()) return (replies.resource ?? (() => resource({})))();
    if (request.path !== ACTIVITY) return undefined;
    const token = request.query.get("$skipToken");
    if (replies.activity !== undefined) return replies.activity(token);
    // By default three pages, the middle one empty, each nextLink absolute with its own $skipToken.
    const next = (t: string) =>
      `${fake.endpoint}${ACTIVITY}?api-version=2015-04-01&$filter=${encodeURIComponent(request.query.get("$filter") ?? "")}&$skipToken=${t}`;
    if (token === null) return armPage([event("Started", "c-1", "2026-11-20T10:00:00Z")], next("two"));
    if (token === "two") return armPage([], next("three"));
    return armPage([
      event("Succeeded", "c-1", "2026-11-20T10:00:01Z"),
      event("Succeeded", "c-2", "2026-11-21T10:00:00Z"),
    ]);
  });
}

const options = (maxRetries = 0): ReadinessOptions => ({
  ...specSessionOptions(emu, app, fake, maxRetries),
  resourceId: RESOURCE,
  now: NOW,
});

describe("readiness against a spec-shaped ARM", () => {
  it("follows nextLink across an empty page and counts key calls in ARM's casing, once per correlationId", async () => {
    serve();
    const result = await checkReadiness(options());
    expect(result.localAuth).toBe("enabled"); // disableLocalAuth absent
    expect(result.verdict).toBe("not-ready");
    expect(result.keyAccess).toEqual([
      expect.objectContaining({ operation: "listKeys", caller: "deploy@contoso.example", count: 2 }),
    ]);
    const pages = fake.requests.filter((r) => r.path === ACTIVITY);
    expect(pages.map((r) => r.query.get("$skipToken"))).toEqual([null, "two", "three"]);
    expect(pages[0]?.query.get("api-version")).toBe("2015-04-01");
    expect(pages[0]?.query.get("$filter")).toContain(`resourceUri eq '${RESOURCE}'`);
  });

  it("counts a key event that has no operationName by its authorization's action (every EventData member is optional)", async () => {
    const bare = { ...event("Succeeded", "c-9", "2026-11-22T10:00:00Z"), operationName: undefined };
    serve({ activity: () => armPage([bare]) });
    const result = await checkReadiness(options());
    expect(result.verdict).toBe("not-ready");
    expect(result.keyAccess.map((k) => [k.operation, k.count])).toEqual([["listKeys", 1]]);
  });

  it.each([
    ['the string "true"', "true"],
    ["the number 1", 1],
  ])(
    "reads disableLocalAuth %s as not disabled, as posture and sweep do (only a JSON true counts)",
    async (_what, value) => {
      serve({ resource: () => resource({ disableLocalAuth: value }) });
      const result = await checkReadiness(options());
      expect(result.localAuth).toBe("enabled");
      expect(result.verdict).toBe("not-ready");
    },
  );

  it("never follows an Activity Log nextLink to another host with the ARM token: the verdict is unknown", async () => {
    const port = new URL(fake.endpoint).port;
    serve({
      activity: (token) =>
        token === null
          ? armPage([], `https://localhost:${port}${ACTIVITY}?api-version=2015-04-01&$skipToken=elsewhere`)
          : armPage([event("Succeeded", "c-3", "2026-11-20T10:00:00Z")]),
    });
    const result = await checkReadiness(options());
    expect(result.verdict).toBe("unknown");
    expect(fake.requests.some((r) => r.headers.host?.startsWith("localhost"))).toBe(false);
  });

  it("says why in terms of the ARM endpoint when a nextLink points to another host (not the ACS endpoint, not a key)", async () => {
    const port = new URL(fake.endpoint).port;
    serve({ activity: () => armPage([], `https://localhost:${port}${ACTIVITY}?api-version=2015-04-01&$skipToken=x`) });
    const result = await checkReadiness(options());
    expect(result.verdict).toBe("unknown");
    expect(result.reason).toContain(`another host than the ARM endpoint ${fake.endpoint}`);
    expect(result.reason).not.toMatch(/ACS endpoint|access key/);
  });

  it("reads disableLocalAuth true as already disabled", async () => {
    serve({ resource: () => resource({ disableLocalAuth: true }) });
    expect((await checkReadiness(options())).verdict).toBe("already-disabled");
  });

  it("waits out a 429 with Retry-After on the Activity Log", async () => {
    let throttled = 0;
    serve({
      activity: () =>
        throttled++ === 0 ? armError(429, "TooManyRequests", "Slow.", { "retry-after": "1" }) : armPage([]),
    });
    const result = await checkReadiness(options(1));
    expect(result.verdict).toBe("ready");
  });

  it.each([
    [
      "a bare {code,message}",
      { status: 400, json: { code: "BadRequest", message: "SECRET in the filter" } },
      /answered 400/,
    ],
    ["an HTML page", { status: 502, text: "<html>SECRET</html>" }, /answered 502/],
  ] as const)(
    "says unknown (exit 2) for an Activity Log error with %s, naming the status, quoting nothing",
    async (_what, reply, expected) => {
      serve({ activity: () => reply });
      const command = createReadinessCommand({ clientOptions: specClientOptions(emu, fake), now: NOW });
      const env = { ...specEnvironment(emu, app, fake), AZURE_COMMUNICATION_RESOURCE_ID: RESOURCE };
      const run = await runCaptured((io) =>
        command(["--format", "json"], { ...io, env, cwd: dir, stderrIsTTY: false }),
      );
      expect(run.code).toBe(2);
      const result = JSON.parse(run.out) as { verdict: string; reason: string };
      expect(result.verdict).toBe("unknown");
      expect(result.reason).toMatch(expected);
      expect(run.out + run.err).not.toMatch(/SECRET|TypeError|unreachable/);
    },
  );
});
