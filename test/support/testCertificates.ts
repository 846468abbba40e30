import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CreateCertificateOptions, GeneratedCertificate } from "../../packages/emulator/src/index.js";
import { createCertificate } from "../../packages/emulator/src/index.js";

/** A generated test certificate and the PEM file (private key and certificate) it was written to. */
export interface WrittenCertificate extends GeneratedCertificate {
  /** The PEM file, readable by its owner only (mode 0600). */
  readonly path: string;
}

/**
 * Generates a test certificate (self-signed, as the emulator's `createCertificate` makes them) and writes its PEM
 * (private key, then certificate) to `dir/name` with mode 0600, as a careful deployment would.
 *
 * @param options - validity, key type and format, password: passed to `createCertificate`
 */
export async function writeTestCertificate(
  dir: string,
  name: string,
  options: CreateCertificateOptions = {},
): Promise<WrittenCertificate> {
  const certificate = await createCertificate(options);
  const path = join(dir, name);
  writeFileSync(path, certificate.pem, { mode: 0o600 });
  return { ...certificate, path };
}
