/**
 * IM-3: loads and checks a service-principal certificate with node:crypto. A PEM file (or string) must hold the
 * certificate and its private key (PKCS#8, PKCS#1 or SEC1; optionally encrypted), optionally followed by the chain.
 * Messages say what is wrong and never contain key material or the password.
 */
import type { KeyObject } from "node:crypto";
import { X509Certificate, createHash, createPrivateKey } from "node:crypto";
import type { Stats } from "node:fs";
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { BaselineViolationError } from "../errors.js";

/** Where a certificate comes from. @public */
export type CertificateSource = { path: string; password?: string } | { pem: string; password?: string };

/** Largest certificate file read (a PEM with a long chain is a few KiB). */
export const MAX_CERTIFICATE_FILE_BYTES = 1024 * 1024;
/** A certificate with fewer days left than this gets a warning. */
export const EXPIRY_WARNING_DAYS = 30;

/** What was learned about a certificate: no secrets here except `credentialPem`, which callers keep private. */
export interface LoadedCertificate {
  /** SHA-256 thumbprint of the leaf certificate, lower-case hex. */
  thumbprint: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** Whole days until `notAfter` (negative once expired). */
  daysRemaining: number;
  /** Number of certificates after the leaf (the chain). */
  chainLength: number;
  keyType: string;
  /** File mode bits when read from a file. */
  fileMode?: number;
  /** Secret-free warnings (near expiry, key file readable by group or others). */
  warnings: string[];
  /** Unencrypted PKCS#8 key + leaf + chain, for the upstream credential. Never log or expose this. */
  credentialPem: string;
}

/** Identity of a file version, to notice replacement. */
export interface FileSignature {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const KEY_LABELS = new Set(["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]);

function invalid(message: string): never {
  throw new BaselineViolationError("CERTIFICATE_INVALID", message);
}

/** Reads a certificate file with the checks a file needs (exists, regular, not huge). */
export function readCertificateFile(path: string): { text: string; mode: number; signature: FileSignature } {
  if (typeof path !== "string" || path.length === 0) invalid("The certificate path is empty.");
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      invalid("The certificate file does not exist. Check AZURE_CLIENT_CERTIFICATE_PATH / certificate.path.");
    if (code === "EACCES") invalid("The certificate file cannot be read (permission denied).");
    invalid(`The certificate file cannot be read (${code ?? "error"}).`);
  }
  if (stat.isDirectory()) invalid("The certificate path is a directory, not a PEM file.");
  if (!stat.isFile()) invalid("The certificate path is not a regular file (FIFO, socket or device).");
  if (stat.size > MAX_CERTIFICATE_FILE_BYTES)
    invalid(`The certificate file is larger than ${MAX_CERTIFICATE_FILE_BYTES} bytes; it is not a PEM certificate.`);
  let text: string;
  let opened: Stats;
  let fd: number | undefined;
  try {
    // Opened non-blocking and checked again on the open file: a path swapped after the stat (for a FIFO, which must
    // not hang the constructor, or for another file) is judged by what is read, and what is returned describes it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    opened = fstatSync(fd);
    if (!opened.isFile()) invalid("The certificate path is not a regular file (FIFO, socket or device).");
    text = readBounded(fd);
  } catch (error) {
    if (error instanceof BaselineViolationError) throw error;
    invalid(`The certificate file cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return {
    text,
    mode: opened.mode & 0o777,
    signature: { mtimeMs: opened.mtimeMs, ctimeMs: opened.ctimeMs, size: opened.size, ino: opened.ino },
  };
}

/** The open file's text, refused when it holds more than {@link MAX_CERTIFICATE_FILE_BYTES} (it may grow after a stat). */
function readBounded(fd: number): string {
  // Only the bytes read are used.
  const buffer = Buffer.allocUnsafe(MAX_CERTIFICATE_FILE_BYTES + 1);
  let length = 0;
  for (let n = -1; n !== 0 && length < buffer.length; length += n)
    n = readSync(fd, buffer, length, buffer.length - length, null);
  if (length > MAX_CERTIFICATE_FILE_BYTES)
    invalid(`The certificate file is larger than ${MAX_CERTIFICATE_FILE_BYTES} bytes; it is not a PEM certificate.`);
  return buffer.toString("utf8", 0, length);
}

function decryptKey(block: string, label: string, password: string | undefined): KeyObject {
  const encrypted = label === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,ENCRYPTED/.test(block);
  if (encrypted && (password === undefined || password.length === 0)) {
    invalid(
      "The private key is encrypted and no password was given. Set certificate.password / AZURE_CLIENT_CERTIFICATE_PASSWORD.",
    );
  }
  try {
    return createPrivateKey(
      encrypted ? { key: block, format: "pem", passphrase: password } : { key: block, format: "pem" },
    );
  } catch {
    if (encrypted) invalid("The password does not decrypt the private key (wrong password or unsupported encryption).");
    invalid("The private key cannot be parsed (expected PKCS#8, PKCS#1 or SEC1 PEM).");
  }
}

/**
 * Parses and checks a certificate PEM text.
 * @throws BaselineViolationError CERTIFICATE_INVALID or CERTIFICATE_EXPIRED
 */
export function checkCertificatePem(text: string, password: string | undefined, now = new Date()): LoadedCertificate {
  if (typeof text !== "string" || !text.includes("-----BEGIN")) {
    invalid(
      "The certificate is not PEM (no -----BEGIN block). Convert it to PEM with the private key and the certificate.",
    );
  }
  const certificates: X509Certificate[] = [];
  const keys: { label: string; block: string }[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1] ?? "";
    if (label === "CERTIFICATE") {
      try {
        certificates.push(new X509Certificate(m[0]));
      } catch {
        invalid("A CERTIFICATE block in the PEM cannot be parsed.");
      }
    } else if (KEY_LABELS.has(label)) {
      keys.push({ label, block: m[0] });
    }
  }
  if (keys.length === 0) invalid("The PEM contains no private key. It must hold the private key and the certificate.");
  if (keys.length > 1) invalid("The PEM contains more than one private key.");
  if (certificates.length === 0)
    invalid("The PEM contains no certificate. It must hold the private key and the certificate.");
  const { label, block } = keys[0];
  const key = decryptKey(block, label, password);
  const leafIndex = certificates.findIndex((c) => {
    try {
      return c.checkPrivateKey(key);
    } catch {
      return false;
    }
  });
  if (leafIndex === -1) invalid("The private key does not match the certificate.");
  const leaf = certificates[leafIndex];
  const chain = certificates.filter((_, i) => i !== leafIndex);
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  const thumbprint = createHash("sha256").update(leaf.raw).digest("hex");
  if (now < notBefore) {
    throw new BaselineViolationError(
      "CERTIFICATE_EXPIRED",
      `The certificate (SHA-256 ${thumbprint}) is not valid before ${notBefore.toISOString()}. Check the system clock or use a certificate that is valid now.`,
    );
  }
  if (now > notAfter) {
    throw new BaselineViolationError(
      "CERTIFICATE_EXPIRED",
      `The certificate (SHA-256 ${thumbprint}) expired on ${notAfter.toISOString()}. Create a new certificate, register it on the app registration, and replace the file.`,
    );
  }
  const daysRemaining = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  const warnings: string[] = [];
  if (daysRemaining < EXPIRY_WARNING_DAYS) {
    warnings.push(
      `The certificate (SHA-256 ${thumbprint}) expires in ${daysRemaining} day(s), on ${notAfter.toISOString()}. Rotate it.`,
    );
  }
  const keyPem = key.export({ type: "pkcs8", format: "pem" }) as string;
  return {
    thumbprint,
    subject: leaf.subject,
    notBefore,
    notAfter,
    daysRemaining,
    chainLength: chain.length,
    keyType: key.asymmetricKeyType ?? "unknown",
    warnings,
    credentialPem:
      [keyPem.trimEnd(), leaf.toString().trimEnd(), ...chain.map((c) => c.toString().trimEnd())].join("\n") + "\n",
  };
}

/**
 * Loads and checks a certificate from a file or a PEM string.
 * @throws BaselineViolationError CERTIFICATE_INVALID or CERTIFICATE_EXPIRED
 */
export function loadCertificate(
  source: CertificateSource,
  now = new Date(),
): LoadedCertificate & { signature?: FileSignature } {
  if ("path" in source && typeof source.path === "string") {
    const file = readCertificateFile(source.path);
    const loaded = checkCertificatePem(file.text, source.password, now);
    if ((file.mode & 0o077) !== 0) {
      loaded.warnings.push(
        `The certificate file is readable by group or others (mode ${file.mode.toString(8).padStart(3, "0")}). Restrict it: chmod 600.`,
      );
    }
    return { ...loaded, fileMode: file.mode, signature: file.signature };
  }
  if ("pem" in source && typeof source.pem === "string") return checkCertificatePem(source.pem, source.password, now);
  invalid("The certificate option needs either path or pem.");
}

/** The signature of a file now, or undefined when it cannot be read. */
export function fileSignature(path: string): FileSignature | undefined {
  try {
    const s = statSync(path);
    return { mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, size: s.size, ino: s.ino };
  } catch {
    return undefined;
  }
}

/** True when two signatures describe the same file version. */
export function sameFile(a: FileSignature | undefined, b: FileSignature | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.size === b.size &&
    a.ino === b.ino
  );
}
