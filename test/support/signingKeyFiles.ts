/**
 * A fresh P-256 checkpoint-signing key pair written to a temporary directory: the private half (PKCS#8 PEM, mode 0600)
 * for `signing.privateKey`, the public half (SPKI PEM) for `verify-log --public-key`.
 */
import { generateKeyPairSync } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./tempDir.js";

/** The key pair, its PEM public half and the two files. */
export interface SigningKeyFiles {
  privateKey: KeyObject;
  publicKeyPem: string;
  keyPath: string;
  pubPath: string;
  keyDir: string;
}

/** Generates the pair and writes `audit.pem` and `audit.pub.pem` into a new directory named by `prefix`. */
export function signingKeyFiles(prefix: string): SigningKeyFiles {
  const keyDir = tempDir(prefix);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const keyPath = join(keyDir, "audit.pem");
  const pubPath = join(keyDir, "audit.pub.pem");
  writeFileSync(keyPath, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { mode: 0o600 });
  writeFileSync(pubPath, publicKeyPem);
  return { privateKey, publicKeyPem, keyPath, pubPath, keyDir };
}
