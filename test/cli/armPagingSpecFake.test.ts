/**
 * `acs-baseline posture` and `checkReadiness` against a spec-shaped ARM that pages badly: a next page that never
 * answers ends at the timeout with `unknown`, and a `nextLink` that repeats is given up on after a few requests.
 */
import { describe, expect, it } from "vitest";
import { createPostureCommand } from "../../packages/cli/src/commands/posture.js";
import { checkReadiness } from "../../packages/cli/src/estate/readiness.js";
import type { PostureResult } from "../../packages/acs-baseline/src/posture/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { runCaptured } from "../support/captureOutput.js";
import type { SpecFake, SpecReply, SpecRequest } from "../support/specArmFake.js";
import { armPage } from "../support/specArmFake.js";
import { specClientOptions, specEnvironment, specSessionOptions, useSpecFake } from "../support/specArmSession.js";

let emu: Emulator;
let app: TestApplication;
let fake: SpecFake;
const dir = useSpecFake("acs-arm-paging-", (setup) => ({ emu, app, fake } = setup));

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const RESOURCE = `/subscriptions/${SUB}/resourceGroups/rg-acs/providers/Microsoft.Communication/communicationServices/acs-page`;
const DIAGNOSTICS = `${RESOURCE}/providers/microsoft.insights/diagnosticSettings`;
const ACTIVITY = `/subscriptions/${SUB}/providers/microsoft.insights/eventtypes/management/values`;

/** The resource (local auth on), and the lists `lists` answers; anything else is 404. */
function serve(lists: Record<string, (request: SpecRequest) => SpecReply>) {
  fake.handle((request) => {
    if (request.method !== "GET") return undefined;
    if (request.path === RESOURCE.toLowerCase())
      return {
        json: {
          id: RESOURCE,
          name: "acs-page",
          location: "global",
          properties: { hostName: "acs-page.communication.azure.com", disableLocalAuth: false },
        },
      };
    return lists[request.path]?.(request) ?? (request.path.endsWith("/roleassignments") ? armPage([]) : undefined);
  });
}

const link = (path: string, token: string, apiVersion: string) =>
  `${fake.endpoint}${path}?api-version=${apiVersion}&$skipToken=${token}`;
const requestsTo = (path: string) => fake.requests.filter((r) => r.path === path.toLowerCase());

describe("ARM paging that never ends, through the CLI", () => {
  it("acs-baseline posture ends at the timeout when page 2 of the diagnostic settings never answers", async () => {
    serve({
      [DIAGNOSTICS.toLowerCase()]: (r) =>
        r.query.get("$skipToken") === null
          ? armPage([], link(DIAGNOSTICS, "two", "2021-05-01-preview"))
          : { hold: true },
    });
    const command = createPostureCommand({ clientOptions: specClientOptions(emu, fake), timeoutMs: 2_000 });
    const env = { ...specEnvironment(emu, app, fake), AZURE_COMMUNICATION_RESOURCE_ID: RESOURCE };
    const started = Date.now();
    const run = await runCaptured((io) => command(["--format", "json"], { ...io, env, cwd: dir, stderrIsTTY: false }));
    expect(Date.now() - started).toBeLessThan(6_000);
    const result = JSON.parse(run.out) as PostureResult;
    const logs = result.checks.find((c) => c.id === "resource-logs");
    expect(logs?.status).toBe("unknown");
    expect(logs?.evidence).toContain("did not answer in time");
    expect(requestsTo(DIAGNOSTICS).map((r) => r.query.get("$skipToken"))).toEqual([null, "two"]);
  }, 15_000);

  it("readiness ends at the timeout when page 2 of the Activity Log never answers: unknown", async () => {
    serve({
      [ACTIVITY]: (r) =>
        r.query.get("$skipToken") === null ? armPage([], link(ACTIVITY, "two", "2015-04-01")) : { hold: true },
    });
    const started = Date.now();
    const result = await checkReadiness({
      ...specSessionOptions(emu, app, fake),
      resourceId: RESOURCE,
      timeoutMs: 2_000,
    });
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(result.verdict).toBe("unknown");
    expect(result.reason).toContain("did not answer in time");
  }, 15_000);

  it("readiness gives up on an Activity Log nextLink that repeats: unknown after a few requests", async () => {
    serve({ [ACTIVITY]: () => armPage([], link(ACTIVITY, "same", "2015-04-01")) });
    const result = await checkReadiness({ ...specSessionOptions(emu, app, fake), resourceId: RESOURCE });
    expect(result.verdict).toBe("unknown");
    expect(result.reason).toContain("nextLink it had already returned");
    expect(requestsTo(ACTIVITY).length).toBeLessThanOrEqual(3);
  }, 15_000);
});
