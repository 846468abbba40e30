/**
 * `verify-log --anchor https://…`: the blob is read with the credential the environment configures, under the
 * factory's rules (authority allow-list, TLS verification on — also NODE_TLS_REJECT_UNAUTHORIZED=0 in the
 * environment is refused before any secret is sent), and its error output never echoes key material from the URL.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { credentialFromEnvironment } from "../../packages/acs-baseline/src/credentials/environmentCredential.js";
import { verifyLogCommand } from "../../packages/cli/src/commands/verifyLog.js";

const dir = mkdtempSync(join(tmpdir(), "acs-verify-anchor-"));
const log = join(dir, "audit.log");
writeFileSync(log, "");
const SECRET = `sec~${randomBytes(12).toString("hex")}`;
/** A secret-only configuration whose authority (allow-listed, nothing listens there) would receive the secret. */
const ENV = {
  AZURE_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  AZURE_CLIENT_ID: "0b8c3a4e-1f2d-4c5b-9a6e-7d8f9a0b1c2d",
  AZURE_CLIENT_SECRET: SECRET,
  AZURE_AUTHORITY_HOST: "https://127.0.0.1:1",
  AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "127.0.0.1",
};

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (f: (s: string) => void) => new Writable({ write: (c: Buffer, _e, cb) => (f(c.toString()), cb()) });
  const code = await verifyLogCommand(args, {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env,
    cwd: dir,
    stderrIsTTY: false,
  });
  return { code, out, err };
}

describe("verify-log --anchor URL", () => {
  it("refuses NODE_TLS_REJECT_UNAUTHORIZED=0 (TLS_VERIFICATION_DISABLED) before the secret is sent, as the factory does", async () => {
    expect(() => credentialFromEnvironment({ ...ENV, NODE_TLS_REJECT_UNAUTHORIZED: "0" })).toThrow(
      expect.objectContaining({ code: "TLS_VERIFICATION_DISABLED" }),
    );
    const r = await cli([log, "--anchor", "https://acsbaselinetest.blob.core.windows.net/audit/a.jsonl"], {
      ...ENV,
      NODE_TLS_REJECT_UNAUTHORIZED: "0",
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain("TLS_VERIFICATION_DISABLED");
    expect(r.err).not.toContain(SECRET);
  });

  it("refuses an authority outside the allow-list (AUTHORITY_NOT_ALLOWED)", async () => {
    const r = await cli([log, "--anchor", "https://acsbaselinetest.blob.core.windows.net/audit/a.jsonl"], {
      ...ENV,
      AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: "",
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain("AUTHORITY_NOT_ALLOWED");
  });

  it("never echoes user-info, an account key or a SAS from the URL in its error", async () => {
    const key = randomBytes(64).toString("base64");
    const sig = randomBytes(16).toString("hex");
    const password = `pw${randomBytes(8).toString("hex")}`;
    for (const url of [
      `https://user:${password}@acsbaselinetest.blob.core.windows.net/audit/a.jsonl`,
      `https://acsbaselinetest.blob.core.windows.net/audit/a.jsonl;AccountKey=${key}`,
      `https://acsbaselinetest.blob.core.windows.net/audit/a.jsonl%3BAccountKey%3D${encodeURIComponent(key)}`,
      `https://acsbaselinetest.blob.core.windows.net/audit/a.jsonl#sv=2022-11-02&sig=${sig}`,
      `https://acsbaselinetest.blob.core.windows.net/audit/a.jsonl?sv=2022-11-02&sig=${sig}`,
    ]) {
      const r = await cli([log, "--anchor", url], ENV);
      expect(r.code).toBe(2);
      expect(r.err).toContain("cannot read the anchor https://acsbaselinetest.blob.core.windows.net/");
      for (const secret of [password, key, encodeURIComponent(key), sig, SECRET]) expect(r.err).not.toContain(secret);
    }
  });
});
