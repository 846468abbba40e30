// The factory's warn records: secret fallback, a secret ignored next to a certificate, a certificate close to
// expiry, a key file readable by group or others — each a `warn` record with a reason and the right controls, and
// no secret in any of them.
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { writeTestCertificate } from "../support/testCertificates.js";

interface AuditLine {
  level: string;
  event: { action: string; outcome: string; reason?: string };
  baseline: { controls: string[] };
  principal?: { credentialType?: string };
}

const SECRET = `SECRETCANARY${randomBytes(12).toString("base64url")}`;
const dir = tempDir("acs-warnings-");
let goodPath: string;
let soonPath: string;
let loosePath: string;
beforeAll(async () => {
  const good = await writeTestCertificate(dir, "good.pem");
  const soon = await writeTestCertificate(dir, "soon.pem", {
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 10 * 86_400_000),
  });
  goodPath = good.path;
  soonPath = soon.path;
  loosePath = join(dir, "loose.pem");
  writeFileSync(loosePath, good.pem);
  chmodSync(loosePath, 0o644);
});

let n = 0;
async function records(options: Partial<AcsClientFactoryOptions>): Promise<AuditLine[]> {
  const file = join(dir, `audit-${++n}.log`);
  const factory = new AcsClientFactory({
    endpoint: "https://contoso.communication.azure.com",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    clientId: "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60",
    ...options,
    audit: { destination: file },
  });
  await factory.close();
  const text = readFileSync(file, "utf8");
  expect(text).not.toContain(SECRET.slice(0, 16));
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as AuditLine);
}
const warnings = (lines: AuditLine[]) => lines.filter((l) => l.level === "warn");

describe("factory warnings in the audit log", () => {
  it("a clean certificate configuration writes no warning", async () => {
    const lines = await records({ certificate: { path: goodPath } });
    expect(warnings(lines)).toEqual([]);
    expect(lines.find((l) => l.event.action === "credential.resolve")).toMatchObject({
      level: "info",
      principal: { credentialType: "certificate" },
    });
  });

  it("secret fallback: credential.resolve is a warn record", async () => {
    const lines = await records({ clientSecret: SECRET });
    expect(warnings(lines)).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({
          action: "credential.resolve",
          reason: expect.stringMatching(/secret/i) as string,
        }) as object,
      }),
    ]);
  });

  it("a secret next to a certificate: ignored, and said so", async () => {
    const lines = await records({ certificate: { path: goodPath }, clientSecret: SECRET });
    expect(lines.find((l) => l.event.action === "credential.resolve")).toMatchObject({
      level: "info",
      principal: { credentialType: "certificate" },
    });
    const w = warnings(lines);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({
      event: { action: "config.warning", reason: expect.stringMatching(/ignored/) as string },
    });
    expect(w[0]?.baseline.controls).toContain("IM-3");
  });

  it("fewer than 30 days left on the certificate", async () => {
    const w = warnings(await records({ certificate: { path: soonPath } }));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({
      event: { action: "config.warning", reason: expect.stringMatching(/expires in \d+ day/) as string },
    });
  });

  it("a key file readable by group or others", async () => {
    const w = warnings(await records({ certificate: { path: loosePath } }));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({
      event: { action: "config.warning", reason: expect.stringMatching(/group|others/) as string },
    });
  });
});
