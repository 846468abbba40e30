/** ARM action matching and resource-id parsing under generated input (fast-check). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { actionMatches, grants } from "../../packages/acs-baseline/src/posture/roleActions.js";
import { parseAcsResourceId, parseArmEndpoint } from "../../packages/acs-baseline/src/posture/resourceId.js";

const segment = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.]{0,12}$/);
const action = fc.array(segment, { minLength: 2, maxLength: 5 }).map((s) => s.join("/"));
const flipCase = (s: string, mask: boolean[]) =>
  [...s].map((ch, i) => (mask[i % mask.length] ? ch.toUpperCase() : ch.toLowerCase())).join("");

describe("ARM action matching", () => {
  it("an action matches itself in any casing; regex metacharacters in actions are literal", () => {
    fc.assert(
      fc.property(action, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (a, mask) => {
        expect(actionMatches(flipCase(a, mask), a)).toBe(true);
        expect(actionMatches(a.replace(/\./g, "+"), a.replace(/\./g, "x"))).toBe(
          a.replace(/\./g, "x") === a.replace(/\./g, "+"),
        );
      }),
    );
  });

  it("`prefix/*` matches every action under the prefix, and nothing else", () => {
    fc.assert(
      fc.property(action, action, (a, b) => {
        const prefix = a.split("/").slice(0, -1).join("/");
        expect(actionMatches(`${prefix}/*`, a)).toBe(true);
        expect(actionMatches(`${prefix}/*`, b)).toBe(b.toLowerCase().startsWith(`${prefix.toLowerCase()}/`));
        expect(actionMatches("*", b)).toBe(true);
      }),
    );
  });

  it("notActions subtract within a block; another block can still grant", () => {
    fc.assert(
      fc.property(action, (a) => {
        expect(grants([{ actions: ["*"], notActions: [a] }], a)).toBe(false);
        expect(grants([{ actions: ["*"], notActions: [a] }, { actions: [a] }], a)).toBe(true);
        expect(grants([{ actions: [], notActions: [] }], a)).toBe(false);
      }),
    );
  });

  it("the built-in casing matches the operations-list casing", () => {
    expect(
      grants(
        [{ actions: ["Microsoft.Communication/CommunicationServices/ListKeys/action"] }],
        "Microsoft.Communication/communicationServices/listKeys/action",
      ),
    ).toBe(true);
    expect(grants([{ actions: ["*/read"] }], "Microsoft.Communication/communicationServices/listKeys/action")).toBe(
      false,
    );
  });
});

describe("resource id and ARM endpoint parsing", () => {
  it("accepts every well-formed ACS resource id (any casing of the fixed parts) and normalises it", () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.stringMatching(/^[A-Za-z0-9_()-]{1,40}$/),
        fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/),
        fc.boolean(),
        (sub, rg, name, upper) => {
          const raw = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Communication/communicationServices/${name}`;
          const parsed = parseAcsResourceId(
            upper ? raw.replace("providers/Microsoft.Communication", "PROVIDERS/MICROSOFT.COMMUNICATION") : raw,
          );
          expect(parsed).toEqual({ id: raw, subscriptionId: sub, resourceGroup: rg, name });
        },
      ),
    );
  });

  it("refuses anything else (other providers, paths, queries, extra segments)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        let ok = true;
        try {
          parseAcsResourceId(s);
        } catch (error) {
          ok = false;
          expect(error).toBeInstanceOf(TypeError);
        }
        if (ok) expect(s.trim()).toMatch(/\/providers\/Microsoft\.Communication\/communicationServices\/[-\w]+\/*$/i);
      }),
    );
    for (const bad of [
      "",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/x",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/g/providers/Microsoft.Communication/communicationServices/x/listKeys",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/g/providers/Microsoft.Communication/communicationServices/x?api-version=1",
    ]) {
      expect(() => parseAcsResourceId(bad)).toThrow(TypeError);
    }
  });

  it("ARM endpoint: https origin only", () => {
    expect(parseArmEndpoint(undefined)).toBe("https://management.azure.com");
    expect(parseArmEndpoint("https://management.usgovcloudapi.net/")).toBe("https://management.usgovcloudapi.net");
    for (const bad of [
      "http://management.azure.com",
      "https://user:pw@management.azure.com",
      "https://management.azure.com/x",
      "https://management.azure.com?x=1",
      "not a url",
    ]) {
      expect(() => parseArmEndpoint(bad)).toThrow(TypeError);
    }
  });
});
