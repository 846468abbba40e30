// Issue 22 item 2, written as the attack: clientOptions members the factory does not know reach the credential
// (enableAzureProxy moves the token request to AZURE_KUBERNETES_TOKEN_PROXY, authorityHost to another authority,
// allowInsecureConnection allows http). Refused at construction, naming the member only when its name is safe to
// show; proxyOptions with tlsOptions.ca is refused with the reason. Positive control: the known members work.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { checkPosture } from "../../packages/acs-baseline/src/posture/index.js";
import { ALLOWED_CLIENT_OPTIONS } from "../../packages/acs-baseline/src/guard/clientOptionAllowList.js";

const base = {
  endpoint: "https://contoso.communication.azure.com",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  clientId: "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d",
  clientSecret: "not-a-real-secret-value-for-tests",
};
const build = (clientOptions: object) => () => new AcsClientFactory({ ...base, clientOptions });

describe("clientOptions allow-list", () => {
  it.each([
    ["enableAzureProxy", true],
    ["authorityHost", "https://evil.example"],
    ["allowInsecureConnection", true],
    ["additionallyAllowedTenants", ["*"]],
    ["tokenCachePersistenceOptions", { enabled: true }],
  ])("attack: clientOptions.%s is refused: CLIENT_OPTION_NOT_ALLOWED naming it", (member, value) => {
    expect(build({ [member]: value })).toThrow(new RegExp(`CLIENT_OPTION_NOT_ALLOWED.*"${member}"`));
  });

  it("also through checkPosture (the same rule)", async () => {
    await expect(
      checkPosture({
        ...base,
        resourceId:
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/x",
        clientOptions: { enableAzureProxy: true } as never,
      }),
    ).rejects.toMatchObject({ code: "CLIENT_OPTION_NOT_ALLOWED" });
  });

  it("a member whose name could carry a secret (or a Symbol) is refused without its name", () => {
    const secretName = "AccountKey=" + "a".repeat(43) + "=";
    for (const options of [{ [secretName]: 1 }, { [Symbol("x")]: 1 }, { "bad name\n": 1 }]) {
      let error: unknown;
      try {
        build(options)();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BaselineViolationError);
      const message = (error as Error).message;
      expect(message).not.toContain("aaaaaaaa");
      expect(message).not.toContain("\n");
    }
  });

  it("property: any member outside the list is refused, and its name appears only when identifier-like", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (name) => {
        fc.pre(!ALLOWED_CLIENT_OPTIONS.includes(name) && name !== "__proto__");
        let error: unknown;
        try {
          build({ [name]: 1 })();
        } catch (e) {
          error = e;
        }
        expect((error as BaselineViolationError | undefined)?.code).toBe("CLIENT_OPTION_NOT_ALLOWED");
        const message = (error as Error).message;
        if (!/^[A-Za-z_$][\w$]{0,63}$/.test(name) && name.length > 0) expect(message).not.toContain(`"${name}"`);
        expect(message).not.toMatch(/\p{Cc}/u);
      }),
      { numRuns: 200 },
    );
  });

  it("proxyOptions with tlsOptions.ca is refused with the reason (upstream ignores the CA for the proxy agent)", () => {
    expect(
      build({
        proxyOptions: { host: "http://proxy.internal", port: 3128 },
        tlsOptions: { ca: "-----BEGIN CERTIFICATE-----" },
      }),
    ).toThrow(/CLIENT_OPTION_NOT_ALLOWED.*proxyOptions and tlsOptions\.ca.*NODE_EXTRA_CA_CERTS/);
  });

  it("positive control: the known members are accepted", async () => {
    const factory = build({
      retryOptions: { maxRetries: 1 },
      tlsOptions: { ca: "-----BEGIN CERTIFICATE-----" },
      userAgentOptions: { userAgentPrefix: "x" },
      additionalPolicies: [],
      loggingOptions: {},
      redirectOptions: { maxRetries: 0 },
    })();
    await factory.close();
    const proxied = build({ proxyOptions: { host: "http://proxy.internal", port: 3128 } })();
    await proxied.close();
  });
});
