// An ECDSA P-256 signing key for the benchmarks' "audit on, chained, signed" clients: a PEM file in its own temporary
// folder (acs-baseline refuses a key in the audit log's folder). `remove()` deletes it.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function signingKeyFile() {
  const dir = mkdtempSync(join(tmpdir(), "acs-bench-key-"));
  const path = join(dir, "signing.pem");
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Audit options of the benchmarks' audited clients: chained, every checkpoint signed (default: every 1,000 records). */
export const signedAudit = (destination, keyPath) => ({ destination, chain: true, signing: { privateKey: keyPath } });
