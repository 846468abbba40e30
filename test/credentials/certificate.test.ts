// Bad-input corpus for certificates: each case gives the right code with a secret-free message, never a crash or a
// hang (a FIFO is refused without being opened).
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BaselineViolationError } from "../../packages/acs-baseline/src/errors.js";
import { loadCertificate } from "../../packages/acs-baseline/src/credentials/certificate.js";
import type { GeneratedCertificate } from "../../packages/emulator/src/index.js";
import { createCertificate } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";

const dir = tempDir("acs-cert-corpus-");
let good: GeneratedCertificate;
let other: GeneratedCertificate;
const PASSWORD = "Pw-Canary-7d1f";

beforeAll(async () => {
  [good, other] = await Promise.all([createCertificate(), createCertificate()]);
});

const file = (name: string, content: string | Buffer, mode = 0o600) => {
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  return path;
};
const codeOf = (source: Parameters<typeof loadCertificate>[0]): string => {
  try {
    loadCertificate(source);
    return "OK";
  } catch (e) {
    expect(e).toBeInstanceOf(BaselineViolationError);
    expect((e as Error).message).not.toContain(PASSWORD);
    expect((e as Error).message).not.toContain("PRIVATE KEY-----\n");
    return (e as BaselineViolationError).code;
  }
};

describe("certificate bad-input corpus", () => {
  it.each([
    ["garbage text", () => ({ pem: "hello world" }), "CERTIFICATE_INVALID"],
    ["empty", () => ({ pem: "" }), "CERTIFICATE_INVALID"],
    [
      "DER bytes",
      () => ({ path: file("cert.der", new X509Certificate(good.certificatePem).raw) }),
      "CERTIFICATE_INVALID",
    ],
    ["key only", () => ({ pem: good.privateKeyPem }), "CERTIFICATE_INVALID"],
    ["certificate only", () => ({ pem: good.certificatePem }), "CERTIFICATE_INVALID"],
    ["mismatched key", () => ({ pem: `${other.privateKeyPem}${good.certificatePem}` }), "CERTIFICATE_INVALID"],
    [
      "two keys",
      () => ({ pem: `${good.privateKeyPem}${other.privateKeyPem}${good.certificatePem}` }),
      "CERTIFICATE_INVALID",
    ],
    [
      "corrupt certificate block",
      () => ({ pem: `${good.privateKeyPem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n` }),
      "CERTIFICATE_INVALID",
    ],
    ["missing file", () => ({ path: join(dir, "nope.pem") }), "CERTIFICATE_INVALID"],
    [
      "a directory",
      () => ({ path: (mkdirSync(join(dir, "d"), { recursive: true }), join(dir, "d")) }),
      "CERTIFICATE_INVALID",
    ],
    ["a huge file", () => ({ path: file("huge.pem", Buffer.alloc(2 * 1024 * 1024, 65)) }), "CERTIFICATE_INVALID"],
    ["an empty path", () => ({ path: "" }), "CERTIFICATE_INVALID"],
    ["neither path nor pem", () => ({}) as never, "CERTIFICATE_INVALID"],
  ] as const)("%s → %s", (_name, make, code) => {
    expect(codeOf(make())).toBe(code);
  });

  it("a FIFO is refused without blocking on it", () => {
    const fifo = join(dir, "fifo.pem");
    execFileSync("mkfifo", [fifo]);
    expect(codeOf({ path: fifo })).toBe("CERTIFICATE_INVALID");
  });

  it("an unreadable file", () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const path = file("noread.pem", good.pem, 0o000);
    expect(codeOf({ path })).toBe("CERTIFICATE_INVALID");
    chmodSync(path, 0o600);
  });

  it("expired and not yet valid certificates", async () => {
    const expired = await createCertificate({
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 60_000),
    });
    const future = await createCertificate({ notBefore: new Date(Date.now() + 3_600_000) });
    expect(codeOf({ pem: expired.pem })).toBe("CERTIFICATE_EXPIRED");
    expect(codeOf({ pem: future.pem })).toBe("CERTIFICATE_EXPIRED");
  });

  it("encrypted keys: right, wrong and missing password; PKCS#1, SEC1 and EC keys", async () => {
    const enc8 = await createCertificate({ password: PASSWORD });
    const enc1 = await createCertificate({ password: PASSWORD, keyFormat: "pkcs1" });
    const ec = await createCertificate({ keyType: "ec", keyFormat: "sec1" });
    expect(codeOf({ pem: enc8.pem, password: PASSWORD })).toBe("OK");
    expect(codeOf({ pem: enc1.pem, password: PASSWORD })).toBe("OK");
    expect(codeOf({ pem: enc8.pem, password: `${PASSWORD}x` })).toBe("CERTIFICATE_INVALID");
    expect(codeOf({ pem: enc1.pem, password: "wrong" })).toBe("CERTIFICATE_INVALID");
    expect(codeOf({ pem: enc8.pem })).toBe("CERTIFICATE_INVALID");
    expect(codeOf({ pem: ec.pem })).toBe("OK");
  });

  it("a chain after the leaf is accepted and counted; warnings for near expiry and loose permissions", async () => {
    const soon = await createCertificate({ notAfter: new Date(Date.now() + 5 * 86_400_000) });
    const loaded = loadCertificate({ path: file("chain.pem", `${soon.pem}${other.certificatePem}`, 0o644) });
    expect(loaded.chainLength).toBe(1);
    expect(loaded.thumbprint).toBe(soon.thumbprint);
    expect(loaded.warnings.join(" ")).toMatch(/expires in [45] day/);
    expect(loaded.warnings.join(" ")).toContain("readable by group or others (mode 644)");
    expect(JSON.stringify({ ...loaded, credentialPem: undefined })).not.toContain("PRIVATE KEY");
  });
});
