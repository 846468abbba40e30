// A refusal of the federated token file names where its path came from: `workloadIdentity.tokenFilePath` when the
// caller passed it as an option, AZURE_FEDERATED_TOKEN_FILE when fromEnvironment read it from the environment.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AcsClientFactory, BaselineViolationError } from "../../packages/acs-baseline/src/index.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-token-source-");
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "00000000-0000-4000-8000-000000000001";
const ENDPOINT = "https://contoso.communication.azure.com";

const empty = join(dir, "empty");
writeFileSync(empty, "");
const large = join(dir, "large");
writeFileSync(large, "x".repeat(64 * 1024 + 1));
const fifo = join(dir, "fifo");
execFileSync("mkfifo", [fifo]);
const missing = join(dir, "missing");

const files: [string, string, RegExp][] = [
  ["empty", empty, /is empty\./],
  ["too large", large, /is larger than 65536 bytes\./],
  ["a FIFO", fifo, /is not a regular file\./],
  ["missing", missing, /cannot be read \(ENOENT\)/],
];

function refusal(build: () => unknown): BaselineViolationError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(BaselineViolationError);
    return error as BaselineViolationError;
  }
  throw new Error("expected the factory to refuse the token file");
}

describe("the federated token file's refusal names its source", () => {
  it.each(files)("%s, from the workloadIdentity option: names workloadIdentity.tokenFilePath", (_what, path, text) => {
    const error = refusal(
      () =>
        new AcsClientFactory({
          endpoint: ENDPOINT,
          tenantId: TENANT,
          clientId: CLIENT,
          workloadIdentity: { tokenFilePath: path },
        }),
    );
    expect(error.code).toBe("CREDENTIAL_NOT_CONFIGURED");
    expect(error.message).toContain("The federated token file (workloadIdentity.tokenFilePath) ");
    expect(error.message).toMatch(text);
    expect(error.message).not.toContain("AZURE_FEDERATED_TOKEN_FILE");
  });

  it.each(files)("%s, from AZURE_FEDERATED_TOKEN_FILE: names the variable", (_what, path, text) => {
    const env = {
      AZURE_COMMUNICATION_ENDPOINT: ENDPOINT,
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_FEDERATED_TOKEN_FILE: path,
    };
    const error = refusal(() => AcsClientFactory.fromEnvironment({}, env));
    expect(error.code).toBe("CREDENTIAL_NOT_CONFIGURED");
    expect(error.message).toContain("The federated token file (AZURE_FEDERATED_TOKEN_FILE) ");
    expect(error.message).toMatch(text);
    expect(error.message).not.toContain("workloadIdentity.tokenFilePath");
  });

  it("fromEnvironment with a workloadIdentity override: names the option, not the variable", () => {
    const env = {
      AZURE_COMMUNICATION_ENDPOINT: ENDPOINT,
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_FEDERATED_TOKEN_FILE: missing,
    };
    const error = refusal(() => AcsClientFactory.fromEnvironment({ workloadIdentity: { tokenFilePath: empty } }, env));
    expect(error.message).toContain("The federated token file (workloadIdentity.tokenFilePath) is empty.");
  });

  it("the path itself is never in the message", () => {
    const error = refusal(
      () =>
        new AcsClientFactory({
          endpoint: ENDPOINT,
          tenantId: TENANT,
          clientId: CLIENT,
          workloadIdentity: { tokenFilePath: missing },
        }),
    );
    expect(error.message).not.toContain(dir);
  });
});
