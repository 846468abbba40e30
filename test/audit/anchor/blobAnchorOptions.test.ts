// What `audit.anchor.blob` refuses at construction (docs/audit-log.md, "The off-host anchor"): a host outside
// `allowedHosts` (default: the Azure Storage blob hosts), a SAS, http, an invalid container name. No storage, no
// network: the factory checks the options synchronously.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { checkBlobAnchorOptions } from "../../../packages/acs-baseline/src/audit/write/anchor/blobAnchorOptions.js";
import { DEFAULT_STORAGE_HOSTS } from "../../../packages/acs-baseline/src/audit/write/anchor/containerUrl.js";
import { AcsClientFactory, BaselineViolationError } from "../../../packages/acs-baseline/src/index.js";

// An Entra credential as a caller passes one (the factory's own code is not replaced); never called here.
const credential: TokenCredential = {
  getToken: (): Promise<AccessToken | null> => Promise.resolve(null),
};

function refusal(build: () => unknown): BaselineViolationError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(BaselineViolationError);
    return error as BaselineViolationError;
  }
  throw new Error("expected a refusal");
}

const factoryWith = (blob: { containerUrl: string; allowedHosts?: string[] }) =>
  new AcsClientFactory({
    endpoint: "https://contoso.communication.azure.com",
    credential,
    audit: { destination: "stdout", anchor: { blob } },
  });

describe("audit.anchor.blob: allowed hosts", () => {
  it("the default is the Azure Storage blob hosts of the public, US Government and China clouds", () => {
    expect(DEFAULT_STORAGE_HOSTS).toEqual([
      "*.blob.core.windows.net",
      "*.blob.core.usgovcloudapi.net",
      "*.blob.core.chinacloudapi.cn",
    ]);
    for (const host of [
      "acct.blob.core.windows.net",
      "acct.blob.core.usgovcloudapi.net",
      "acct.blob.core.chinacloudapi.cn",
    ])
      expect(() => checkBlobAnchorOptions({ containerUrl: `https://${host}/audit` })).not.toThrow();
  });

  it("a host not allowed: ENDPOINT_NOT_ALLOWED naming anchor.blob.allowedHosts, the path not echoed", () => {
    const error = refusal(() => factoryWith({ containerUrl: "https://storage.example.net/secret-container-name" }));
    expect(error.code).toBe("ENDPOINT_NOT_ALLOWED");
    expect(error.message).toContain("host is not in the allowed storage hosts");
    expect(error.message).toContain('"*.blob.core.windows.net"');
    expect(error.message).toContain("anchor.blob.allowedHosts");
    expect(error.message).not.toContain("secret-container-name");
  });

  it("allowedHosts replaces the default: the named host is accepted, an Azure host then is not", () => {
    expect(() =>
      checkBlobAnchorOptions({
        containerUrl: "https://storage.example.net/audit",
        allowedHosts: ["storage.example.net"],
      }),
    ).not.toThrow();
    const error = refusal(() =>
      checkBlobAnchorOptions({
        containerUrl: "https://acct.blob.core.windows.net/audit",
        allowedHosts: ["storage.example.net"],
      }),
    );
    expect(error.code).toBe("ENDPOINT_NOT_ALLOWED");
    expect(error.message).toContain('("storage.example.net")');
    expect(error.message).toContain("anchor.blob.allowedHosts");
  });
});

describe("audit.anchor.blob: the other refusals, with their codes", () => {
  it.each([
    ["a SAS (sig=)", "https://acct.blob.core.windows.net/audit?sv=2024&sig=S3CR3TSIGNATURE", "KEY_CREDENTIAL_REFUSED"],
    ["http", "http://acct.blob.core.windows.net/audit", "INSECURE_ENDPOINT"],
    ["an invalid container name", "https://acct.blob.core.windows.net/Audit_Log", "ENDPOINT_NOT_ALLOWED"],
    ["another query", "https://acct.blob.core.windows.net/audit?restype=container", "ENDPOINT_NOT_ALLOWED"],
  ])("%s: %s → %s at construction, nothing of the query echoed", (_what, containerUrl, code) => {
    const error = refusal(() => factoryWith({ containerUrl }));
    expect(error.code).toBe(code);
    expect(error.message).not.toContain("S3CR3T");
    expect(error.message).not.toContain("restype");
  });
});
