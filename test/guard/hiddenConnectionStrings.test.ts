// Issue 14, finding 11: connection strings hidden where the option walk did not look — a boxed String, a Map, a
// class instance, a non-enumerable or Symbol key, deeper than 6 levels, URL-encoded — and a bare ACS access key as
// clientSecret. Each is refused at the factory (and in createClient options) before any SDK sees it.
import { randomBytes } from "node:crypto";
import { SmsClient } from "@azure/communication-sms";
import type { TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";

const ACCESS_KEY = randomBytes(64).toString("base64"); // 88 characters, as ACS issues them
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${ACCESS_KEY}`;
const ENDPOINT = "https://contoso.communication.azure.com";
const credential: TokenCredential = {
  getToken: () => Promise.resolve({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

class Holder {
  readonly note: string;
  constructor(note: string) {
    this.note = note;
  }
}
const deep = (levels: number, value: unknown): unknown => (levels === 0 ? value : { next: deep(levels - 1, value) });

const hidden: [string, () => unknown][] = [
  ["a boxed String", () => new String(CS)],
  ["a Map value", () => new Map([["cs", CS]])],
  ["a Map key", () => new Map([[CS, 1]])],
  ["a Set", () => new Set([CS])],
  ["a class instance", () => new Holder(CS)],
  ["a non-enumerable key", () => Object.defineProperty({}, "cs", { value: CS, enumerable: false })],
  ["a Symbol key", () => ({ [Symbol("cs")]: CS })],
  ["10 levels deep", () => deep(10, CS)],
  ["URL-encoded", () => encodeURIComponent(CS)],
  ["URL-encoded twice", () => encodeURIComponent(encodeURIComponent(CS))],
  ["a Buffer", () => Buffer.from(CS)],
];

describe("connection strings hidden in options", () => {
  it.each(hidden)("in %s (clientOptions) is refused with CONNECTION_STRING_REFUSED, secret-free", (_name, make) => {
    let error: unknown;
    try {
      new AcsClientFactory({
        endpoint: ENDPOINT,
        credential,
        clientOptions: { userAgentOptions: { userAgentPrefix: "app" }, extra: make() } as never,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "CONNECTION_STRING_REFUSED" });
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(ACCESS_KEY.slice(0, 20));
  });

  it.each(hidden)("in %s (createClient options) is refused before the client is built", async (_name, make) => {
    const factory = new AcsClientFactory({ endpoint: ENDPOINT, credential });
    expect(() => factory.createClient(SmsClient, { extra: make() } as never)).toThrow(
      expect.objectContaining({ code: "CONNECTION_STRING_REFUSED" }),
    );
    await factory.close();
  });

  it("a bare 88-character ACS access key given as clientSecret is refused with KEY_CREDENTIAL_REFUSED", () => {
    expect(
      () =>
        new AcsClientFactory({
          endpoint: ENDPOINT,
          tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
          clientId: "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d",
          clientSecret: ACCESS_KEY,
        }),
    ).toThrow(expect.objectContaining({ code: "KEY_CREDENTIAL_REFUSED" }));
  });

  it("ordinary options (an Entra client secret, a CA Buffer, an https.Agent, a Map of plain values in an allowed member) are accepted", async () => {
    const { Agent } = await import("node:https");
    const factory = new AcsClientFactory({
      endpoint: ENDPOINT,
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      clientId: "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d",
      clientSecret: "abc8Q~0123456789abcdefghijklmnopqrstuvwx",
      clientOptions: {
        tlsOptions: { ca: Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n") } as never,
        agent: new Agent({ keepAlive: true }),
        telemetryOptions: { extra: new Map([["a", 1]]) },
      } as never,
    });
    await factory.close();
  });
});
