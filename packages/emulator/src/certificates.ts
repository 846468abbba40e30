/**
 * Certificate generation for the emulator and for tests: a CA, TLS server certificates, and client certificates
 * for Entra applications. Uses `selfsigned` (no openssl binary needed) and node:crypto for key formats.
 */
import { X509Certificate, createHash, createPrivateKey, randomBytes } from "node:crypto";
import { generate } from "selfsigned";

/** Options for {@link createCertificate}. @public */
export interface CreateCertificateOptions {
  /** Subject common name. Default `acs-baseline-test-app`. */
  commonName?: string;
  /** Start of validity. Default: one minute ago. */
  notBefore?: Date;
  /** End of validity. Default: one year after `notBefore`. */
  notAfter?: Date;
  /** Encrypts the private key with this password. */
  password?: string;
  /** Key type. Default `rsa` (2048 bit; Entra client assertions are signed with RSA). */
  keyType?: "rsa" | "ec";
  /** Private-key PEM format. Default `pkcs8`; `pkcs1` needs an RSA key, `sec1` an EC key. */
  keyFormat?: "pkcs8" | "pkcs1" | "sec1";
}

/** A generated certificate and its private key. @public */
export interface GeneratedCertificate {
  /** The certificate alone (PEM). */
  certificatePem: string;
  /** The private key alone (PEM, encrypted when a password was given). */
  privateKeyPem: string;
  /** Private key followed by the certificate: the file format `ClientCertificateCredential` reads. */
  pem: string;
  /** SHA-256 thumbprint of the certificate's DER encoding, lower-case hex. */
  thumbprint: string;
}

/** SHA-256 thumbprint (lower-case hex) of a PEM certificate. @public */
export function certificateThumbprint(certificatePem: string): string {
  return createHash("sha256").update(new X509Certificate(certificatePem).raw).digest("hex");
}

function convertKey(pkcs8Pem: string, format: "pkcs8" | "pkcs1" | "sec1", password: string | undefined): string {
  const key = createPrivateKey(pkcs8Pem);
  if (format === "pkcs8") {
    return password === undefined
      ? (key.export({ type: "pkcs8", format: "pem" }) as string)
      : (key.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: password }) as string);
  }
  if (format === "pkcs1" && key.asymmetricKeyType !== "rsa") throw new Error("keyFormat pkcs1 needs keyType rsa");
  if (format === "sec1" && key.asymmetricKeyType !== "ec") throw new Error("keyFormat sec1 needs keyType ec");
  return password === undefined
    ? (key.export({ type: format, format: "pem" }) as string)
    : (key.export({ type: format, format: "pem", cipher: "aes-256-cbc", passphrase: password }) as string);
}

/**
 * Generates a self-signed client certificate with its private key, for registering an Entra application in the
 * emulator or for testing certificate handling (expired, not yet valid, encrypted, PKCS#1, SEC1 …).
 * @public
 */
export async function createCertificate(options: CreateCertificateOptions = {}): Promise<GeneratedCertificate> {
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * 24 * 3600 * 1000);
  const generated = await generate([{ name: "commonName", value: options.commonName ?? "acs-baseline-test-app" }], {
    keyType: options.keyType ?? "rsa",
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", clientAuth: true },
    ],
  });
  const certificatePem = generated.cert.replace(/\r\n/g, "\n");
  const privateKeyPem = convertKey(generated.private, options.keyFormat ?? "pkcs8", options.password);
  return {
    certificatePem,
    privateKeyPem,
    pem: `${privateKeyPem.trimEnd()}\n${certificatePem.trimEnd()}\n`,
    thumbprint: certificateThumbprint(certificatePem),
  };
}

/** CA and TLS server material for the emulator's two https servers. */
export interface ServerTlsMaterial {
  caCertificatePem: string;
  serverCertificatePem: string;
  serverKeyPem: string;
}

/**
 * Generates a fresh CA and a server certificate for localhost, 127.0.0.1 and ::1 signed by it. Each CA gets its own
 * name: OpenSSL finds an issuer by subject name, so two CAs with one name in the same trust store (the emulator's and
 * Azurite's in one NODE_EXTRA_CA_CERTS file, say) would make the wrong one be tried and verification fail.
 */
export async function createServerTls(): Promise<ServerTlsMaterial> {
  const notBefore = new Date(Date.now() - 3600_000);
  const notAfter = new Date(Date.now() + 30 * 24 * 3600_000);
  const ca = await generate(
    [{ name: "commonName", value: `acs-baseline emulator CA ${randomBytes(8).toString("hex")}` }],
    {
      keyType: "ec",
      algorithm: "sha256",
      notBeforeDate: notBefore,
      notAfterDate: notAfter,
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { caCertificatePem: ca.cert, serverCertificatePem: server.cert, serverKeyPem: server.private };
}
