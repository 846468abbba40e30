// The anchor's container URL is outside input: property tests that key material is refused wherever it hides and
// never echoed, and that whatever is accepted is a plain https container URL on an allowed host.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blobClientFactory } from "../../../packages/acs-baseline/src/audit/write/anchor/blobClient.js";
import {
  DEFAULT_STORAGE_HOSTS,
  validateContainerUrl,
} from "../../../packages/acs-baseline/src/audit/write/anchor/containerUrl.js";
import { loadStorageBlob } from "../../../packages/acs-baseline/src/audit/write/anchor/loadStorageBlob.js";
import { isBaselineViolationError } from "../../../packages/acs-baseline/src/errors.js";
import { hostMatches } from "../../../packages/acs-baseline/src/guard/endpoint.js";
import { REQUEST_GUARD_POLICY_NAME } from "../../../packages/acs-baseline/src/guard/requestGuard.js";

const secret = fc.stringMatching(/^[A-Za-z0-9%+/=]{8,40}$/).map((s) => `S3CR3T${s}`);
const base = fc.constantFrom(
  "https://acct.blob.core.windows.net/audit",
  "https://x1.blob.core.usgovcloudapi.net/logs-2026",
  "https://127.0.0.1:10000/devstoreaccount1/audit",
);
const param = fc
  .tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[A-Za-z0-9%-]{0,12}$/))
  .map(([k, v]) => `${k}=${v}`);
const sigName = fc.constantFrom("sig", "SIG", "Sig", "sIg");
const hosts = [...DEFAULT_STORAGE_HOSTS, "127.0.0.1"];

function refusal(value: string): { code: string; message: string } | undefined {
  try {
    validateContainerUrl(value, hosts);
    return undefined;
  } catch (error) {
    expect(isBaselineViolationError(error)).toBe(true);
    return error as { code: string; message: string };
  }
}

describe("validateContainerUrl (property)", () => {
  it("a SAS signature anywhere in the query (plain or percent-encoded) is KEY_CREDENTIAL_REFUSED and never echoed", () => {
    fc.assert(
      fc.property(
        base,
        fc.array(param, { maxLength: 4 }),
        fc.array(param, { maxLength: 4 }),
        sigName,
        secret,
        fc.boolean(),
        (b, before, after, name, s, encode) => {
          const sig = encode ? `${name}%3D${s}` : `${name}=${s}`;
          const query = [...before, sig, ...after].join(encode ? "%26" : "&");
          const r = refusal(`${b}?${encode ? `a=1%26${query}` : query}`);
          expect(r?.code).toBe("KEY_CREDENTIAL_REFUSED");
          expect(r?.message).not.toContain(s);
        },
      ),
    );
  });

  it("an account key or connection string anywhere is CONNECTION_STRING_REFUSED and never echoed", () => {
    fc.assert(
      fc.property(
        base,
        fc.constantFrom("AccountKey", "accountkey", "ACCOUNTKEY", "SharedAccessSignature"),
        fc.constantFrom("", " "),
        secret,
        (b, key, space, s) => {
          const r = refusal(`${b};${key}${space}=${s}`);
          expect(r?.code).toBe("CONNECTION_STRING_REFUSED");
          expect(r?.message).not.toContain(s);
        },
      ),
    );
  });

  it("any input is either refused with a BaselineViolationError or a plain https container URL on an allowed host", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          base.chain((b) => fc.string().map((t) => b + t)),
        ),
        (value) => {
          let accepted: ReturnType<typeof validateContainerUrl> | undefined;
          try {
            accepted = validateContainerUrl(value, hosts);
          } catch (error) {
            expect(isBaselineViolationError(error)).toBe(true);
            return;
          }
          expect(accepted.url.startsWith("https://")).toBe(true);
          expect(accepted.url).not.toMatch(/[?#@\s]/);
          expect(hosts.some((h) => hostMatches(accepted.hostname, h))).toBe(true);
        },
      ),
    );
  });
});

describe("the anchor's storage client (pins @azure/storage-blob passing options through to @azure/core-client)", () => {
  it("has the request guard after authentication and the TLS policy when a CA is given", async () => {
    const storage = await loadStorageBlob();
    const target = validateContainerUrl("https://acct.blob.core.windows.net/audit");
    const credential = { getToken: () => Promise.resolve(null) };
    const client = blobClientFactory(storage, target, credential, {
      tlsOptions: { ca: "-----BEGIN CERTIFICATE-----" },
    })("a.jsonl");
    const names = (
      client as unknown as { storageClientContext: { pipeline: { getOrderedPolicies(): { name: string }[] } } }
    ).storageClientContext.pipeline
      .getOrderedPolicies()
      .map((p) => p.name);
    expect(names).toContain(REQUEST_GUARD_POLICY_NAME);
    expect(names).toContain("tlsPolicy");
    expect(names.indexOf(REQUEST_GUARD_POLICY_NAME)).toBeGreaterThan(names.indexOf("bearerTokenAuthenticationPolicy"));
    expect(client.url).toBe("https://acct.blob.core.windows.net/audit/a.jsonl");
  });
});
