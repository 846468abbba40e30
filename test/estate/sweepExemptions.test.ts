/**
 * `sweepEstate` against the emulator's Resource Graph: exemptions narrowed to some initiative members
 * (`policyDefinitionReferenceIds`) or some resources (`resourceSelectors`) exempt only those, an exemption whose
 * selectors cannot be evaluated never yields a claimed `exempt`, and an assigned initiative that Resource Graph does not
 * return (defined where the caller cannot read it) makes the status `unknown` with an `unreadable` entry, never "none".
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { SweepResult } from "../../packages/cli/src/estate/sweepEstate.js";
import { sweepEstate } from "../../packages/cli/src/estate/sweepEstate.js";
import { EXEMPTIONS_QUERY } from "../../packages/cli/src/estate/queries.js";
import type { Emulator, EstateSubscription, TestApplication } from "../../packages/emulator/src/index.js";
import { LOCAL_AUTH_AUDIT_DENY } from "../../packages/emulator/src/index.js";
import { estateSessionOptions } from "../support/estateSession.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
let result: SweepResult;
const dir = tempDir("acs-sweep-exemptions-");
const sub = (s: EstateSubscription) => `/subscriptions/${s.subscriptionId}`;
const OTHER_POLICY = "/providers/Microsoft.Authorization/policyDefinitions/0a914e76-4921-4c19-b460-a2d36003525a";
const UNSEEN_SET =
  "/providers/Microsoft.Management/managementGroups/hidden-mg/providers/Microsoft.Authorization/policySetDefinitions/unseen";

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });

const resource = (name: string) => {
  const r = result.resources.find((x) => x.name === `acs-${name}`);
  if (r === undefined) throw new Error(`no ${name}`);
  return r;
};

beforeAll(async () => {
  emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "root" });
  const e = emu.arm.estate;
  // An initiative: the local-auth built-in with Deny ("acsLocalAuth") and another policy ("other").
  const set = e.definePolicySet({
    policyDefinitions: [
      {
        policyDefinitionId: LOCAL_AUTH_AUDIT_DENY,
        policyDefinitionReferenceId: "acsLocalAuth",
        parameters: { effect: { value: "Deny" } },
      },
      { policyDefinitionId: OTHER_POLICY, policyDefinitionReferenceId: "other", parameters: {} },
    ],
  });
  /** A subscription with one resource, the initiative assigned on it, and an exemption narrowed as given. */
  const exempted = (name: string, narrowing?: Parameters<typeof e.exempt>[3]) => {
    const s = e.addSubscription(name);
    e.addResource(s.subscriptionId, `acs-${name}`, false);
    const assignment = e.assignPolicy(sub(s), set.id, { parameters: {} });
    if (narrowing !== undefined) e.exempt(assignment, sub(s), undefined, narrowing);
  };
  exempted("not-exempted");
  exempted("other-member", { policyDefinitionReferenceIds: ["other"] });
  exempted("this-member", { policyDefinitionReferenceIds: ["other", "ACSLOCALAUTH"] });
  exempted("other-location", {
    resourceSelectors: [{ name: "weu", selectors: [{ kind: "resourceLocation", in: ["westeurope"] }] }],
  });
  exempted("this-location", {
    resourceSelectors: [{ name: "global", selectors: [{ kind: "resourceLocation", in: ["Global"] }] }],
  });
  exempted("unevaluable-selector", {
    resourceSelectors: [{ name: "x", selectors: [{ kind: "resourceWithoutLocation", in: ["true"] }] }],
  });
  // An initiative Resource Graph does not return; alone, and next to a certain Deny.
  const unseen = e.addSubscription("unseen");
  e.addResource(unseen.subscriptionId, "acs-unseen", false);
  e.assignPolicy(sub(unseen), UNSEEN_SET, { parameters: {} });
  const unseenDeny = e.addSubscription("unseen-deny");
  e.addResource(unseenDeny.subscriptionId, "acs-unseen-deny", false);
  e.assignPolicy(sub(unseenDeny), UNSEEN_SET, { parameters: {} });
  e.assignPolicy(sub(unseenDeny), LOCAL_AUTH_AUDIT_DENY, { effect: "Deny" });
  // The same initiative not enforced, and exempted as a whole: not-enforced or exempt if it holds the policy, else none.
  const unseenDne = e.addSubscription("unseen-dne");
  e.addResource(unseenDne.subscriptionId, "acs-unseen-dne", false);
  e.assignPolicy(sub(unseenDne), UNSEEN_SET, { parameters: {}, enforcementMode: "DoNotEnforce" });
  const unseenExempt = e.addSubscription("unseen-exempt");
  e.addResource(unseenExempt.subscriptionId, "acs-unseen-exempt", false);
  e.exempt(e.assignPolicy(sub(unseenExempt), UNSEEN_SET, { parameters: {} }), sub(unseenExempt));
  // Next to a direct assignment of the built-in: the status, by rank, unless the unread one could outrank it.
  const unseenNextTo = (
    name: string,
    unread: "dne" | "exempt",
    direct: { effect: string; enforcementMode?: "DoNotEnforce"; exempt?: true },
  ) => {
    const s = e.addSubscription(name);
    e.addResource(s.subscriptionId, `acs-${name}`, false);
    const initiative = e.assignPolicy(sub(s), UNSEEN_SET, {
      parameters: {},
      ...(unread === "dne" ? { enforcementMode: "DoNotEnforce" } : {}),
    });
    if (unread === "exempt") e.exempt(initiative, sub(s));
    const { exempt, ...options } = direct;
    const assignment = e.assignPolicy(sub(s), LOCAL_AUTH_AUDIT_DENY, options);
    if (exempt === true) e.exempt(assignment, sub(s));
  };
  unseenNextTo("unseen-exempt-dne-audit", "exempt", { effect: "Audit", enforcementMode: "DoNotEnforce" });
  unseenNextTo("unseen-dne-audit", "dne", { effect: "Audit" });
  unseenNextTo("unseen-dne-dne-deny", "dne", { effect: "Deny", enforcementMode: "DoNotEnforce" });
  unseenNextTo("unseen-exempt-exempt-audit", "exempt", { effect: "Audit", exempt: true });
  unseenNextTo("unseen-dne-exempt-audit", "dne", { effect: "Audit", exempt: true });
  result = await sweepEstate(estateSessionOptions(emu, app));
});

describe("sweep: exemptions narrowed to members or resources", () => {
  it("projects the exemption's policyDefinitionReferenceIds and resourceSelectors", () => {
    expect(EXEMPTIONS_QUERY).toContain("policyDefinitionReferenceIds = properties.policyDefinitionReferenceIds");
    expect(EXEMPTIONS_QUERY).toContain("resourceSelectors = properties.resourceSelectors");
  });

  it("an exemption for another initiative member leaves the local-auth member applying (deny); one naming it exempts", () => {
    expect(resource("not-exempted").policy.status).toBe("deny");
    expect(resource("other-member").policy.status).toBe("deny");
    expect(resource("other-member").policy.exemptions).toEqual([]);
    expect(resource("this-member").policy.status).toBe("exempt");
  });

  it("an exemption's resource selectors exempt only the resources they choose", () => {
    expect(resource("other-location").policy.status).toBe("deny");
    expect(resource("this-location").policy.status).toBe("exempt");
  });

  it("an exemption whose selectors cannot be evaluated is never a claimed exempt: unknown, with the reason", () => {
    const r = resource("unevaluable-selector");
    expect(r.policy.status).toBe("unknown");
    expect(r.policy.assignments[0]?.undetermined).toContain("an exemption whose resource selectors");
    expect(result.summary.unprotected).toBeNull();
  });
});

describe("sweep: an assigned initiative Resource Graph does not return", () => {
  it("is unknown (never none), with the reason on the assignment and in unreadable", () => {
    const r = resource("unseen");
    expect(r.policy.status).toBe("unknown");
    expect(r.policy.assignments).toMatchObject([{ definitionId: UNSEEN_SET, effect: "unknown" }]);
    expect(r.policy.assignments[0]?.undetermined).toContain("its policy set definition was not returned");
    expect(result.unreadable).toContainEqual({
      table: "policyresources",
      reason: expect.stringContaining(`policy set definition ${UNSEEN_SET}`) as unknown,
    });
  });

  it("does not hide a certain Deny next to it", () => {
    expect(resource("unseen-deny").policy.status).toBe("deny");
  });

  it("not enforced, or exempted as a whole, it is still unknown (not-enforced, exempt or none), never none", () => {
    expect(resource("unseen-dne").policy.status).toBe("unknown");
    expect(resource("unseen-exempt").policy.status).toBe("unknown");
  });

  it("not enforced or exempted as a whole, it is unknown only when what it may give outranks the rest", () => {
    // exempt (the unread initiative may hold the built-in) outranks not-enforced
    expect(resource("unseen-exempt-dne-audit").policy.status).toBe("unknown");
    // an enforced effect outranks not-enforced and exempt; not-enforced and nothing do not outrank not-enforced
    expect(resource("unseen-dne-audit").policy.status).toBe("audit");
    expect(resource("unseen-dne-dne-deny").policy.status).toBe("not-enforced");
    // exempt is not outranked by exempt or not-enforced
    expect(resource("unseen-exempt-exempt-audit").policy.status).toBe("exempt");
    expect(resource("unseen-dne-exempt-audit").policy.status).toBe("exempt");
  });
});
