// Issue 26: the emulator answers as ACS does, with an `MS-CV` correlation vector on every data-plane response, and the
// factory's audit record of the request carries it as `http.correlationId`, exactly as the response had it. Real
// SmsClient from the real factory, against the emulator.
import { join } from "node:path";
import { SmsClient } from "@azure/communication-sms";
import { expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { scrubText } from "../../packages/acs-baseline/src/text/scrub.js";
import type { Rec } from "../support/auditRecords.js";
import { readRecords } from "../support/auditRecords.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-correlation-");
useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });

/** An MS-CV as ACS writes it: 22 base64 characters, then `.0`. */
const MS_CV = /^[A-Za-z0-9+/]{22}\.0$/;

it("an SMS send's MS-CV response header is the request record's http.correlationId", async () => {
  const file = join(dir, "audit.log");
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, {
      audit: { destination: file },
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
    }),
  );
  // What the client received: the response headers, read by a policy of the client's own pipeline.
  const seen: (string | undefined)[] = [];
  const sms = factory.createClient(SmsClient, {
    additionalPolicies: [
      {
        policy: {
          name: "readMsCv",
          sendRequest: async (request, next) => {
            const response = await next(request);
            seen.push(response.headers.get("ms-cv"));
            return response;
          },
        },
        position: "perCall",
      },
    ],
  });
  for (const to of ["+14255550123", "+14255550124"]) {
    const [result] = await sms.send({ from: "+14255550100", to: [to], message: "hello" });
    expect(result?.successful).toBe(true);
  }
  await factory.close();

  expect(seen).toHaveLength(2);
  for (const cv of seen) expect(cv).toMatch(MS_CV);
  expect(seen[0]).not.toBe(seen[1]); // fresh per response
  const requests = readRecords(file).filter((r: Rec) => r.event.action === "request" && r.http.path === "/sms");
  // As the response had it, unless it happens to look like something the scrubber masks (about 1 in 340 random values
  // miss the fast path, and of those almost none is changed: a `+` and seven digits), which is recorded scrubbed.
  expect(requests.map((r: Rec): unknown => r.http.correlationId)).toEqual(seen.map((cv) => scrubText(cv ?? "")));
});
