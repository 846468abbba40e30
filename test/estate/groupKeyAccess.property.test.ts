/**
 * `groupKeyAccess` fed outside input: Activity Log events as an odd or hostile ARM (or an independent fake) may send
 * them, with any member missing, of the wrong type, or an unparsable time. It never throws (a throw ended `readiness`
 * as a usage error, exit 2, "Invalid time value"), counts every key event (dropping one could turn not-ready into
 * ready), and counts nothing else: not an operation named after an inherited property such as `constructor`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { groupKeyAccess } from "../../packages/cli/src/estate/readiness.js";

const LIST_KEYS = "Microsoft.Communication/CommunicationServices/ListKeys/action";
const REGENERATE = "microsoft.communication/communicationservices/regeneratekey/action";
const odd = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.object(),
  fc.date({ noInvalidDate: false }),
);
const oddEvent = fc.record(
  {
    operationName: fc.oneof(fc.constant(null), fc.record({ value: fc.oneof(odd, fc.constantFrom(LIST_KEYS)) })),
    caller: odd,
    claims: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), odd)),
    correlationId: odd,
    eventTimestamp: odd,
  },
  { requiredKeys: [] },
);
const ISO = /^(\d{4}|[+-]\d{6})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("groupKeyAccess on outside input", () => {
  it("never throws, and every group holds strings and ISO times", () => {
    fc.assert(
      fc.property(fc.array(oddEvent, { maxLength: 20 }), (events) => {
        const groups = groupKeyAccess(events as never);
        for (const g of groups) {
          expect(["listKeys", "regenerateKey"]).toContain(g.operation);
          expect(typeof g.caller).toBe("string");
          for (const v of [g.appId, g.objectId]) if (v !== undefined) expect(typeof v).toBe("string");
          expect(g.first).toMatch(ISO);
          expect(g.last).toMatch(ISO);
          expect(g.count).toBeGreaterThan(0);
        }
      }),
    );
  });

  it("counts a key event whatever its other members are", () => {
    fc.assert(
      fc.property(odd, odd, odd, fc.constantFrom(LIST_KEYS, REGENERATE), (caller, time, correlationId, op) => {
        const groups = groupKeyAccess([
          { operationName: { value: op }, caller, eventTimestamp: time, correlationId },
        ] as never);
        expect(groups.map((g) => g.count)).toEqual([1]);
      }),
    );
  });

  it("an unparsable time is counted at the epoch, not a crash", () => {
    const [g] = groupKeyAccess([
      { operationName: { value: LIST_KEYS }, caller: "a@contoso.com", eventTimestamp: "yesterday-ish" },
    ]);
    expect(g).toMatchObject({ operation: "listKeys", caller: "a@contoso.com", count: 1 });
    expect(g.first).toBe("1970-01-01T00:00:00.000Z");
  });

  it("an operation named after an inherited property is not a key operation", () => {
    for (const value of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"])
      expect(groupKeyAccess([{ operationName: { value }, caller: "x" }]), value).toEqual([]);
  });
});
