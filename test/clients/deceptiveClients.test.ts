// Issue 14, finding 12: a client class can hide a keyed inner client (in a #private field, a non-enumerable field or
// a field 4 levels deep) beside a guarded decoy. createClient must refuse it when the hidden pipeline can be found,
// and whatever it cannot see must still never put an access-key request on the wire to the ACS endpoint.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SmsClient } from "@azure/communication-sms";
import type { SmsSendRequest } from "@azure/communication-sms";
import type { TokenCredential } from "@azure/core-auth";
import type { CommonClientOptions } from "@azure/core-client";
import { beforeAll, describe, expect, it } from "vitest";
import type { AcsClientConstructor } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-deceptive-");
let keyed: () => SmsClient;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });
beforeAll(() => {
  const cs = `endpoint=${emu.endpoint}/;accesskey=${Buffer.alloc(64, 3).toString("base64")}`;
  const ca = emu.caCertificatePem;
  keyed = () => new SmsClient(cs, { tlsOptions: { ca }, retryOptions: { maxRetries: 0 } });
});

const SMS: SmsSendRequest = { from: "+14255550100", to: ["+14255550123"], message: "deceptive" };

class PrivateField {
  readonly decoy: SmsClient;
  readonly #inner: SmsClient;
  constructor(endpoint: string, credential: TokenCredential, options?: CommonClientOptions) {
    this.decoy = new SmsClient(endpoint, credential, options);
    this.#inner = keyed();
  }
  send(request: SmsSendRequest) {
    return this.#inner.send(request);
  }
}

class NonEnumerableField {
  readonly decoy: SmsClient;
  declare readonly inner: SmsClient;
  constructor(endpoint: string, credential: TokenCredential, options?: CommonClientOptions) {
    this.decoy = new SmsClient(endpoint, credential, options);
    Object.defineProperty(this, "inner", { value: keyed(), enumerable: false });
  }
  send(request: SmsSendRequest) {
    return this.inner.send(request);
  }
}

class DeepField {
  readonly decoy: SmsClient;
  readonly a: { b: { c: { d: SmsClient } } };
  constructor(endpoint: string, credential: TokenCredential, options?: CommonClientOptions) {
    this.decoy = new SmsClient(endpoint, credential, options);
    this.a = { b: { c: { d: keyed() } } };
  }
  send(request: SmsSendRequest) {
    return this.a.b.c.d.send(request);
  }
}

describe("deceptive client classes", () => {
  it.each<[string, AcsClientConstructor<{ send(request: SmsSendRequest): Promise<unknown> }>, string]>([
    // A #private field cannot be inspected: the client is handed out, and its keyed request is stopped at the wire.
    ["a #private field", PrivateField, "send: KEY_AUTH_BLOCKED"],
    // Found by the pipeline search (non-enumerable and Symbol keys, 8 levels): the client is never handed out.
    ["a non-enumerable field", NonEnumerableField, "createClient: KEY_AUTH_BLOCKED"],
    ["a field 4 levels deep", DeepField, "createClient: KEY_AUTH_BLOCKED"],
  ])(
    "a keyed inner client in %s never reaches ACS: refused at createClient, or blocked at the wire",
    async (_name, Deceptive, expected) => {
      const file = join(dir, `${_name.replace(/\W/g, "")}.log`);
      const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app, { audit: { destination: file } }));
      const hmacBefore = emu.requests.filter((r) => r.authScheme === "HMAC-SHA256").length;
      let outcome: string;
      try {
        const client = factory.createClient(Deceptive);
        outcome = await client.send(SMS).then(
          () => "sent",
          (e: unknown) => `send: ${(e as { code?: string }).code}`,
        );
      } catch (error) {
        outcome = `createClient: ${(error as { code?: string }).code}`;
      }
      expect(outcome).toBe(expected);
      expect(emu.requests.filter((r) => r.authScheme === "HMAC-SHA256").length).toBe(hmacBefore);
      await factory.close();
      expect(readFileSync(file, "utf8")).toContain('"code":"KEY_AUTH_BLOCKED"');
    },
  );

  it("the wire backstop ends with the factory: after close() nothing of it remains", async () => {
    const factory = new AcsClientFactory(emulatorFactoryOptions(emu, app));
    await factory.close();
    const status = await keyed()
      .send(SMS)
      .then(
        () => 0,
        (e: unknown) => (e as { statusCode?: number }).statusCode,
      );
    expect(status).toBe(401); // the emulator answered: LocalAuthDisabled, as ACS with disableLocalAuth does
  });
});
