// findConnectionStringOption / assertNoConnectionString: every string option is walked (nested objects, arrays),
// cycles and throwing getters do not crash it, and the error names the option, never its value.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import {
  assertNoConnectionString,
  findConnectionStringOption,
} from "../../packages/acs-baseline/src/guard/optionStrings.js";

const KEY = randomBytes(32).toString("base64");
const CS = `endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`;

describe("option strings", () => {
  it("finds a connection string anywhere and names its path", () => {
    expect(findConnectionStringOption({ endpoint: CS })).toBe("endpoint");
    expect(findConnectionStringOption({ clientOptions: { tlsOptions: { ca: ["x", CS] } } })).toBe(
      "clientOptions.tlsOptions.ca.1",
    );
    expect(findConnectionStringOption({ a: { b: { c: { d: CS } } } }, "options")).toBe("options.a.b.c.d");
    expect(findConnectionStringOption(CS)).toBe("(value)");
    expect(
      findConnectionStringOption({
        userAgentOptions: { userAgentPrefix: ` AccessKey = ${KEY} ; ENDPOINT = https://x.communication.azure.com ` },
      }),
    ).toBe("userAgentOptions.userAgentPrefix");
  });

  it("accepts options without one", () => {
    expect(
      findConnectionStringOption({
        endpoint: "https://contoso.communication.azure.com",
        tenantId: "t",
        n: 1,
        f: () => 1,
        none: null,
      }),
    ).toBeUndefined();
    expect(findConnectionStringOption(undefined)).toBeUndefined();
    expect(findConnectionStringOption({ endpoint: "endpoint=https://x.communication.azure.com/" })).toBeUndefined();
  });

  it("survives cycles and throwing getters", () => {
    const cyclic: Record<string, unknown> = { name: "x" };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { deep: cyclic }];
    expect(findConnectionStringOption(cyclic)).toBeUndefined();
    const trap = Object.defineProperty({ after: CS }, "bad", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    expect(findConnectionStringOption(trap)).toBe("after");
  });

  it("the refusal names the option, never the key", () => {
    let error: unknown;
    try {
      assertNoConnectionString({ clientOptions: { proxyOptions: { host: CS } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BaselineViolationError);
    const e = error as BaselineViolationError;
    expect(e.code).toBe("CONNECTION_STRING_REFUSED");
    expect(e.control).toBe("IM-1");
    expect(e.message).toContain('"clientOptions.proxyOptions.host"');
    for (const text of [e.message, e.stack ?? "", JSON.stringify(e)]) expect(text).not.toContain(KEY.slice(0, 12));
  });
});
