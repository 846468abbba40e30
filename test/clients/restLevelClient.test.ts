// REST-level clients (@azure-rest/*) are factory functions over @azure-rest/core-client's getClient, as
// @azure-rest/communication-messages and -job-router export them: (endpoint, credential, options) => client. The
// factory builds them like a class (a plain function called with `new` returns its client) and installs the guard.
import { getClient } from "@azure-rest/core-client";
import type { ClientOptions } from "@azure-rest/core-client";
import type { TokenCredential } from "@azure/core-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AcsClientConstructor } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { useEmulator } from "../support/useEmulator.js";

/** The shape of a generated REST-level client's default export (a plain function, not an arrow). */
function SmsRestClient(endpoint: string, credential: TokenCredential, options: ClientOptions = {}) {
  return getClient(endpoint, credential, {
    ...options,
    credentials: { scopes: ["https://communication.azure.com//.default"] },
  });
}

// TypeScript sees a function, not a constructor: the cast says what createClient does with it.
const SmsRest = SmsRestClient as unknown as AcsClientConstructor<ReturnType<typeof SmsRestClient>>;

const env = useEmulator();
let factory: AcsClientFactory;
beforeAll(() => {
  factory = new AcsClientFactory(emulatorFactoryOptions(env.emu, env.app));
});
afterAll(() => factory.close());

describe("REST-level clients through createClient", () => {
  it("are built with the guard and send keyless", async () => {
    const client = factory.createClient(SmsRest);
    const sent = await client.path("/sms").post({
      queryParameters: { "api-version": "2021-03-07" },
      body: { from: "+14255550100", smsRecipients: [{ to: "+14255550123" }], message: "rest" },
    });
    expect(sent.status).toBe("202");
    expect(client.pipeline.getOrderedPolicies().map((p) => p.name)).toContain("acsBaselineRequestGuard");
  });

  it("cannot send to another host: the guard blocks it before the wire", async () => {
    const client = factory.createClient(SmsRest);
    await expect(client.pathUnchecked("https://attacker.example/sms").post({ body: {} })).rejects.toMatchObject({
      code: "KEY_AUTH_BLOCKED",
    });
  });
});
