/**
 * `sweepEstate` and `acs-baseline sweep --strict` against the emulator's Resource Graph, with assignments narrowed as
 * Azure Policy narrows them: `notScopes` (a Deny that excludes a resource group), `overrides` of kind `policyEffect`
 * (Deny turned into Disabled or Audit, for every resource, for a location, for an initiative member) and
 * `resourceSelectors` (a Deny for another location only). A selector the sweep cannot evaluate never yields a claimed
 * deny: the status is `unknown`, and the assignment says why.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createSweepCommand } from "../../packages/cli/src/commands/sweep.js";
import type { SweepResult } from "../../packages/cli/src/estate/sweepEstate.js";
import { sweepEstate } from "../../packages/cli/src/estate/sweepEstate.js";
import type { Emulator, EstateSubscription, TestApplication } from "../../packages/emulator/src/index.js";
import { LOCAL_AUTH_AUDIT_DENY } from "../../packages/emulator/src/index.js";
import { estateSessionOptions, runEstateCommand } from "../support/estateSession.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-sweep-narrowing-");
const deny = { effect: "Deny" };
const sub = (s: EstateSubscription) => `/subscriptions/${s.subscriptionId}`;

useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });

const status = (result: SweepResult, name: string) => {
  const r = result.resources.find((x) => x.name === name);
  if (r === undefined) throw new Error(`no ${name}`);
  return r.policy.status;
};

/** One subscription with one resource (local auth as given) and what `assign` puts on it. */
function estate(name: string, assign: (s: EstateSubscription) => void, disableLocalAuth = false): EstateSubscription {
  const s = emu.arm.estate.addSubscription(name);
  emu.arm.estate.addResource(s.subscriptionId, `acs-${name}`, disableLocalAuth);
  assign(s);
  return s;
}

beforeAll(() => {
  emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "root" });
  const e = emu.arm.estate;
  // notScopes: a subscription Deny that excludes the resource group of one of its two resources (local auth off).
  const excluded = e.addSubscription("notscopes");
  e.addResource(excluded.subscriptionId, "acs-excluded", true, "rg-excluded");
  e.addResource(excluded.subscriptionId, "acs-included", true, "rg-included");
  e.assignPolicy(sub(excluded), LOCAL_AUTH_AUDIT_DENY, {
    ...deny,
    notScopes: [`${sub(excluded)}/resourceGroups/RG-Excluded`],
  });
  // overrides: Deny turned into Disabled for everything; into Audit for another location only (not ACS's "global").
  estate("override-all", (s) =>
    e.assignPolicy(sub(s), LOCAL_AUTH_AUDIT_DENY, {
      ...deny,
      overrides: [{ kind: "policyEffect", value: "Disabled" }],
    }),
  );
  estate("override-elsewhere", (s) =>
    e.assignPolicy(sub(s), LOCAL_AUTH_AUDIT_DENY, {
      ...deny,
      overrides: [
        { kind: "policyEffect", value: "Audit", selectors: [{ kind: "resourceLocation", in: ["westeurope"] }] },
      ],
    }),
  );
  // overrides in an initiative: the member that is the built-in (by its policyDefinitionReferenceId) gets Audit.
  const set = e.definePolicySet({
    policyDefinitions: [
      { policyDefinitionId: LOCAL_AUTH_AUDIT_DENY, policyDefinitionReferenceId: "acsLocalAuth", parameters: {} },
    ],
  });
  estate("override-member", (s) =>
    e.assignPolicy(sub(s), set.id, {
      parameters: {},
      overrides: [
        {
          kind: "policyEffect",
          value: "Audit",
          selectors: [{ kind: "policyDefinitionReferenceId", in: ["ACSLOCALAUTH"] }],
        },
      ],
    }),
  );
  // resourceSelectors: a Deny that applies only in westeurope; another only to communicationServices.
  estate("selected-elsewhere", (s) =>
    e.assignPolicy(sub(s), LOCAL_AUTH_AUDIT_DENY, {
      ...deny,
      resourceSelectors: [{ name: "eu", selectors: [{ kind: "resourceLocation", in: ["West Europe"] }] }],
    }),
  );
  estate("selected-type", (s) =>
    e.assignPolicy(sub(s), LOCAL_AUTH_AUDIT_DENY, {
      ...deny,
      resourceSelectors: [
        {
          name: "acs",
          selectors: [{ kind: "resourceType", in: ["Microsoft.Communication/CommunicationServices"] }],
        },
      ],
    }),
  );
  // A selector kind the sweep does not evaluate, on the resource selectors and on an override.
  estate("selector-unknown", (s) =>
    e.assignPolicy(sub(s), LOCAL_AUTH_AUDIT_DENY, {
      ...deny,
      resourceSelectors: [
        {
          name: "subscription-level",
          selectors: [{ kind: "resourceWithoutLocation", in: ["subscriptionLevelResources"] }],
        },
      ],
    }),
  );
  estate("override-unknown", (s) =>
    e.assignPolicy(sub(s), LOCAL_AUTH_AUDIT_DENY, {
      ...deny,
      overrides: [{ kind: "policyEffect", value: "Disabled", selectors: [{ kind: "resourceTag", in: ["x"] }] }],
    }),
  );
});

describe("sweep: notScopes, overrides and resourceSelectors", () => {
  it("a resource under a notScope is not covered by that assignment; others still are", async () => {
    const result = await sweepEstate(estateSessionOptions(emu, app));
    expect(status(result, "acs-excluded")).toBe("none");
    expect(status(result, "acs-included")).toBe("deny");
    const included = result.resources.find((r) => r.name === "acs-included");
    expect(included?.policy.assignments.map((a) => a.effect)).toEqual(["Deny"]);
    expect(result.resources.find((r) => r.name === "acs-excluded")?.policy.assignments).toEqual([]);
  });

  it("a policyEffect override replaces the effect where its selectors match, and only there", async () => {
    const result = await sweepEstate(estateSessionOptions(emu, app));
    expect(status(result, "acs-override-all")).toBe("none");
    expect(result.resources.find((r) => r.name === "acs-override-all")?.policy.assignments[0]).toMatchObject({
      effect: "Disabled",
    });
    expect(status(result, "acs-override-elsewhere")).toBe("deny");
    expect(status(result, "acs-override-member")).toBe("audit");
  });

  it("resourceSelectors limit the assignment to the resources they choose", async () => {
    const result = await sweepEstate(estateSessionOptions(emu, app));
    expect(status(result, "acs-selected-elsewhere")).toBe("none");
    expect(status(result, "acs-selected-type")).toBe("deny");
  });

  it("a selector that cannot be evaluated never gives a claimed deny: unknown, with the reason on the assignment", async () => {
    const result = await sweepEstate(estateSessionOptions(emu, app));
    for (const name of ["acs-selector-unknown", "acs-override-unknown"]) {
      expect(status(result, name)).toBe("unknown");
      const [assignment] = result.resources.find((r) => r.name === name)?.policy.assignments ?? [];
      expect(assignment?.undetermined).toMatch(/could not be evaluated/);
    }
    expect(result.summary.unprotected).toBeNull();
  });

  it("--strict exits 1 when a notScope leaves a resource without deny, even with local auth off everywhere", async () => {
    const notScopes = emu.arm.estate.subscriptions.find((s) => s.name === "notscopes") as EstateSubscription;
    const run = (strict: string[]) =>
      runEstateCommand(createSweepCommand, { emu, app, cwd: dir }, [
        ...strict,
        "--format",
        "json",
        "--subscription",
        notScopes.subscriptionId,
      ]);
    const strict = await run(["--strict"]);
    expect(strict.code).toBe(1);
    const doc = JSON.parse(strict.out) as SweepResult;
    expect(doc.summary).toMatchObject({ resources: 2, localAuthEnabled: 0, unprotected: 0 });
    expect(doc.resources.map((r) => [r.name, r.policy.status])).toEqual([
      ["acs-excluded", "none"],
      ["acs-included", "deny"],
    ]);
    expect((await run([])).code).toBe(0);
  });
});
