// The emulated services' handlers take outside input (paths, query, JSON bodies): whatever arrives, they answer a
// well-formed reply (never throw, never 5xx), and an error reply always carries an ACS error body.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDataPlane } from "../../../packages/emulator/src/dataPlane/index.js";
import type { DataPlaneRequest } from "../../../packages/emulator/src/dataPlane/route.js";
import { dispatch } from "../../../packages/emulator/src/dataPlane/route.js";

const TEMPLATES = [
  "/rooms",
  "/rooms/{}",
  "/rooms/{}/participants",
  "/emails:send",
  "/emails/operations/{}",
  "/calling/callConnections",
  "/calling/callConnections:answer",
  "/calling/callConnections/{}",
  "/calling/callConnections/{}:terminate",
  "/availablePhoneNumbers/countries/{}/:search",
  "/availablePhoneNumbers/searchResults/{}",
  "/availablePhoneNumbers/:purchase",
  "/phoneNumbers/operations/{}",
  "/phoneNumbers",
  "/phoneNumbers/{}",
  "/phoneNumbers/{}/capabilities",
  "/operatorInformation/:search",
  "/chat/threads",
  "/chat/threads/{}",
  "/chat/threads/{}/messages",
  "/chat/threads/{}/messages/{}",
  "/chat/threads/{}/participants",
  "/chat/threads/{}/participants/:add",
  "/chat/threads/{}/participants/:remove",
];

const segment = fc.oneof(
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom("%", "%E0%A4%A", "US", "%2B14255550123", "..", ""),
);
const path = fc
  .tuple(fc.constantFrom(...TEMPLATES), fc.array(segment, { minLength: 2, maxLength: 2 }))
  .map(([t, [a, b]]) => t.replace("{}", a ?? "").replace("{}", b ?? ""));
const body = fc.dictionary(
  fc.constantFrom(
    "validFrom",
    "validUntil",
    "participants",
    "senderAddress",
    "content",
    "recipients",
    "targets",
    "callbackUri",
    "incomingCallContext",
    "phoneNumberType",
    "assignmentType",
    "capabilities",
    "quantity",
    "searchId",
    "phoneNumbers",
    "options",
    "topic",
    "type",
    "rawId",
    "communicationUser",
    "calling",
    "sms",
    "areaCode",
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

describe("data-plane route tables", () => {
  it("answer any request with a well-formed 2xx–4xx reply and never throw", () => {
    const plane = createDataPlane();
    const routes = [...plane.routes, ...plane.chatRoutes];
    fc.assert(
      fc.property(fc.constantFrom("GET", "POST", "PATCH", "PUT", "DELETE"), path, body, (method, p, b) => {
        const request: DataPlaneRequest = {
          method,
          path: p,
          query: new URLSearchParams(),
          body: b,
          origin: "https://127.0.0.1:1",
          apiVersion: "x",
          caller: "8:acs:caller",
        };
        const reply = dispatch(routes, request);
        if (reply === undefined) return;
        expect(reply.status).toBeGreaterThanOrEqual(200);
        expect(reply.status).toBeLessThan(500);
        expect(() => JSON.stringify(reply.body)).not.toThrow();
        if (reply.status >= 400)
          expect(reply.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }),
      { numRuns: 3000 },
    );
  });
});
