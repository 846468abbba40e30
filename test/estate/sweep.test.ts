/**
 * `sweepEstate` and `acs-baseline sweep` against the emulator's Resource Graph: each policy status, management group
 * inheritance, an initiative containing the built-in, an expired exemption (ignored), DoNotEnforce, a custom role with
 * Microsoft.Communication/*, a 403 on authorizationresources (unknown, not none), paging over ≥ 3 pages, a query
 * outside the subset refused, every output format, and no write in the request log.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createSweepCommand } from "../../packages/cli/src/commands/sweep.js";
import { sweepEstate } from "../../packages/cli/src/estate/sweepEstate.js";
import type { SweepOptions, SweepResult } from "../../packages/cli/src/estate/sweepEstate.js";
import type { Emulator, EstateSubscription, TestApplication } from "../../packages/emulator/src/index.js";
import { LOCAL_AUTH_AUDIT_DENY, LOCAL_AUTH_MODIFY } from "../../packages/emulator/src/index.js";
import { estateSessionOptions, runEstateCommand } from "../support/estateSession.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-sweep-");
let subs: EstateSubscription[];
const ids: Record<string, string> = {};

const options = (): SweepOptions => estateSessionOptions(emu, app);
const byName = (result: SweepResult, name: string) => {
  const r = result.resources.find((x) => x.name === name);
  if (r === undefined) throw new Error(`no ${name}`);
  return r;
};

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });
beforeAll(() => {
  emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "root" });
  const e = emu.arm.estate;
  subs = ["deny", "modify", "audit", "exempt", "expired", "dne", "disabled", "initiative", "mg", "none"].map((n) =>
    e.addSubscription(n),
  );
  const [deny, modify, audit, exempt, expired, dne, disabled, initiative, mg, none] = subs;
  const sub = (s: EstateSubscription) => `/subscriptions/${s.subscriptionId}`;
  for (const s of subs)
    ids[s.name] = e.addResource(
      s.subscriptionId,
      `acs-${s.name}`,
      s.name === "deny" ? true : s.name === "modify" ? "true" : false,
    ).id;
  e.assignPolicy(sub(deny), LOCAL_AUTH_AUDIT_DENY, { effect: "Deny" });
  e.assignPolicy(sub(modify), LOCAL_AUTH_MODIFY);
  e.assignPolicy(sub(audit), LOCAL_AUTH_AUDIT_DENY);
  const exempted = e.assignPolicy(sub(exempt), LOCAL_AUTH_AUDIT_DENY, { effect: "Deny" });
  e.exempt(exempted, `${sub(exempt)}/resourceGroups/rg-acs`, "2999-01-01T00:00:00Z");
  const lapsed = e.assignPolicy(sub(expired), LOCAL_AUTH_AUDIT_DENY, { effect: "Deny" });
  e.exempt(lapsed, `${sub(expired)}/resourceGroups/rg-acs`, "2020-01-01T00:00:00Z");
  e.assignPolicy(sub(dne), LOCAL_AUTH_AUDIT_DENY, { effect: "Deny", enforcementMode: "DoNotEnforce" });
  e.assignPolicy(sub(disabled), LOCAL_AUTH_AUDIT_DENY, { effect: "Disabled" });
  const set = e.definePolicySet({
    policyDefinitions: [
      { policyDefinitionId: LOCAL_AUTH_AUDIT_DENY, parameters: { effect: { value: "[parameters('acsEffect')]" } } },
    ],
    parameters: { acsEffect: { type: "String", defaultValue: "Audit" } },
  });
  e.assignPolicy(sub(initiative), set.id, { parameters: { acsEffect: { value: "Deny" } } });
  // Management group inheritance: the group above `mg` (and every estate subscription) denies... only for `mg` itself.
  const group = e.addSubscription("child-of-group", ["security-group", emu.tenantId]);
  ids.group = e.addResource(group.subscriptionId, "acs-in-group", false).id;
  e.assignPolicy("/providers/Microsoft.Management/managementGroups/security-group", LOCAL_AUTH_MODIFY);
  void mg;
  void none;
  // Key readers: a custom role with Microsoft.Communication/* at the `none` subscription.
  const custom = emu.arm.defineRole({ roleName: "ACS operator", actions: ["Microsoft.Communication/*"] });
  emu.arm.assignRole({ principalId: "11111111-1111-1111-1111-111111111111", role: custom.name, scope: sub(none) });
  const dataOnly = emu.arm.defineRole({ roleName: "ACS reader", actions: ["Microsoft.Communication/*/read"] });
  emu.arm.assignRole({ principalId: "22222222-2222-2222-2222-222222222222", role: dataOnly.name, scope: sub(none) });
});

describe("sweepEstate", () => {
  it("reports each policy status, inheritance, initiatives, exemptions and DoNotEnforce", async () => {
    const result = await sweepEstate(options());
    expect(result.schema).toBe("acs-baseline/sweep/v1");
    expect(result.unreadable).toEqual([]);
    const status = (n: string) => byName(result, n).policy.status;
    expect(status("acs-deny")).toBe("deny");
    expect(status("acs-modify")).toBe("modify");
    expect(status("acs-audit")).toBe("audit");
    expect(status("acs-exempt")).toBe("exempt");
    expect(status("acs-expired")).toBe("deny");
    expect(byName(result, "acs-expired").policy.exemptions[0]).toMatchObject({ active: false });
    expect(status("acs-dne")).toBe("not-enforced");
    expect(status("acs-disabled")).toBe("none");
    expect(status("acs-initiative")).toBe("deny");
    expect(status("acs-in-group")).toBe("modify");
    expect(status("acs-none")).toBe("none");
    // local auth is disabled only for boolean true (a string "true" does not count)
    expect(byName(result, "acs-deny").localAuth).toBe("disabled");
    expect(byName(result, "acs-modify").localAuth).toBe("enabled");
  });

  it("finds key readers through a custom role with Microsoft.Communication/*, not through read-only wildcards", async () => {
    const result = await sweepEstate(options());
    const readers = byName(result, "acs-none").keyReaders ?? [];
    expect(readers.map((k) => k.principalId)).toContain("11111111-1111-1111-1111-111111111111");
    expect(readers.map((k) => k.principalId)).not.toContain("22222222-2222-2222-2222-222222222222");
    expect(byName(result, "acs-deny").keyReaders?.map((k) => k.principalId) ?? []).not.toContain(
      "11111111-1111-1111-1111-111111111111",
    );
    expect(result.summary.keyReaders).toBeGreaterThanOrEqual(1);
  });

  it("follows $skipToken over at least 3 pages", async () => {
    emu.arm.estate.setGraphPageSize(4);
    const before = emu.arm.estate.graphRequests;
    try {
      const result = await sweepEstate(options());
      expect(result.resources.length).toBe(12);
      expect(new Set(result.resources.map((r) => r.id)).size).toBe(12);
      expect(emu.arm.estate.graphRequests - before).toBe(result.requests);
      expect(result.requests).toBeGreaterThanOrEqual(3 + 6);
    } finally {
      emu.arm.estate.setGraphPageSize(1000);
    }
  });

  it("limits the sweep to --subscription", async () => {
    const result = await sweepEstate({ ...options(), subscriptions: [subs[0].subscriptionId] });
    expect(result.resources.map((r) => r.name)).toEqual(["acs-deny"]);
    // A management group assignment still covers a resource when only its subscription is swept.
    const group = emu.arm.estate.subscriptions.find((s) => s.name === "child-of-group");
    const scoped = await sweepEstate({ ...options(), subscriptions: [group?.subscriptionId ?? ""] });
    expect(scoped.resources.map((r) => [r.name, r.policy.status])).toEqual([["acs-in-group", "modify"]]);
  });

  it("makes a 403 on authorizationresources unknown (null), never none, and says why", async () => {
    emu.arm.estate.denyTable("authorizationresources");
    const result = await sweepEstate(options());
    expect(result.unreadable).toEqual([{ table: "authorizationresources", reason: expect.stringContaining("403") }]);
    expect(result.resources.every((r) => r.keyReaders === null)).toBe(true);
    expect(result.summary.keyReaders).toBeNull();
    expect(byName(result, "acs-deny").policy.status).toBe("deny");
    const out = await run(["--format", "text"]);
    expect(out.out).toContain("UNREADABLE authorizationresources");
    const html = await run(["--format", "html"]);
    expect(html.out).toContain("Unreadable: authorizationresources");
    const sarif = JSON.parse((await run(["--format", "sarif"])).out) as {
      runs: { invocations: { toolExecutionNotifications: unknown[] }[] }[];
    };
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications.length).toBe(1);
  });
});

const run = (args: string[]) => runEstateCommand(createSweepCommand, { emu, app, cwd: dir }, args);

describe("acs-baseline sweep", () => {
  it("json with exit 1 while local auth is enabled somewhere; html escapes every value; bad usage exits 2", async () => {
    const json = await run(["--format", "json"]);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.out) as SweepResult;
    expect(doc.summary.resources).toBe(12);
    expect(Object.keys(doc.resources[0])).toEqual([
      "id",
      "name",
      "subscriptionId",
      "resourceGroup",
      "location",
      "localAuth",
      "policy",
      "keyReaders",
    ]);
    emu.arm.estate.addResource(subs[9].subscriptionId, "<img src=x onerror=alert(1)>", false);
    const file = join(dir, "report.html");
    const html = await run(["--format", "html", "--output", file]);
    expect(html.code).toBe(1);
    const page = readFileSync(file, "utf8");
    expect(page).not.toContain("<img");
    expect(page).toContain("&#60;img");
    expect(page).not.toMatch(/<(?:script|link|img)[^>]+(?:src|href)=/i);
    // A name that would drive a terminal (html printed to stdout) or reorder the page is a numeric reference too.
    emu.arm.estate.addResource(subs[9].subscriptionId, "acs\x1b[2J\u202eevil", false);
    const printed = await run(["--format", "html"]);
    // eslint-disable-next-line no-control-regex -- the point of the test
    expect(printed.out).not.toMatch(/[\x1b\u202e]/);
    expect(printed.out).toContain("acs&#27;[2J&#8238;evil");
    expect((await run(["--format", "yaml"])).code).toBe(2);
    expect((await run(["--subscription", "not-a-guid"])).code).toBe(2);
  });

  it("an --output that cannot be written is bad usage (exit 2) naming it, not a crash", async () => {
    const missing = join(dir, "no-such-folder\x1b[2J", "report.html");
    const { code, out, err } = await run(["--format", "html", "--output", missing]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/^acs-baseline sweep: cannot write --output .*no-such-folder\\u\{001b\}\[2J.* \(ENOENT\)/);
    expect((await run(["--output", dir])).err).toContain("(EISDIR)");
  });

  it("exit 2 when Resource Graph refuses the resources table", async () => {
    emu.arm.estate.denyTable("resources");
    const { code, err } = await run([]);
    expect(code).toBe(2);
    expect(err).toContain("Resource Graph could not be read");
  });

  it("writes nothing: no PUT, PATCH or DELETE reached ARM", () => {
    const writes = emu.requests.filter((r) => r.side === "arm" && ["PUT", "PATCH", "DELETE"].includes(r.method));
    expect(writes).toEqual([]);
  });
});
