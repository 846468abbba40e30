/**
 * Every record the recorder can write through the real factory — credential.resolve, token.acquire, client.create,
 * request (with trace and span ids), refuse, config.warning, posture.check, log.open/checkpoint/close and
 * anchor.failure — is accepted by verify-log's strict mode with signed checkpoints, and no secret reaches the file.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SmsClient } from "@azure/communication-sms";
import { createDefaultHttpClient } from "@azure/core-rest-pipeline";
import { beforeAll, expect, it } from "vitest";
import { AcsClientFactory, verifyLog } from "../../packages/acs-baseline/src/index.js";
import type { Emulator, TestApplication } from "../../packages/emulator/src/index.js";
import { emulatorFactoryOptions } from "../../packages/emulator/src/index.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

let emu: Emulator;
let app: TestApplication;
const dir = tempDir("acs-all-records-");
useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });
beforeAll(() => {
  emu.arm.assignRole({ principalId: app.objectId, role: "Reader", scope: "resource" });
});

it("verify-log strict (signed checkpoints) accepts one of each record the factory writes", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const logDir = join(dir, "logs");
  mkdirSync(logDir);
  const audit = join(logDir, "audit.log");
  const factory = new AcsClientFactory(
    emulatorFactoryOptions(emu, app, {
      clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
      allowCustomHttpClient: true,
      posture: { resourceId: emu.arm.resourceId, armEndpoint: emu.arm.endpoint, mode: "warn" as const },
      audit: {
        destination: audit,
        signing: { privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() },
        checkpoint: { everyRecords: 3 },
        // A file anchor whose directory does not exist: every append is an anchor.failure record.
        anchor: { file: { path: join(dir, "missing-dir", "anchor.jsonl") } },
      },
    }),
  );
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  const sms = factory.createClient(SmsClient, {
    additionalPolicies: [
      {
        policy: {
          name: "tp",
          sendRequest: (r, next) => (r.headers.set("traceparent", `00-${traceId}-${spanId}-01`), next(r)),
        },
        position: "perCall",
      },
    ],
  });
  factory.createClient(SmsClient, { httpClient: createDefaultHttpClient() }); // allowed: a config.warning record
  const leaked = emu.arm.connectionString();
  expect(() => factory.createClient(SmsClient, { userAgentOptions: { userAgentPrefix: leaked } })).toThrow();
  await factory.checkPosture();
  await sms.send({ from: "+14255550100", to: ["+14255550123"], message: "all records" });
  await factory.close();

  const text = readFileSync(audit, "utf8");
  const actions = new Set(
    text
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { event: { action: string } }).event.action),
  );
  for (const a of [
    "credential.resolve",
    "token.acquire",
    "client.create",
    "request",
    "refuse",
    "config.warning",
    "posture.check",
    "log.checkpoint",
    "anchor.failure",
    "log.close",
  ]) {
    expect(actions, a).toContain(a);
  }
  expect(text).toContain(`"trace":{"id":"${traceId}"}`);
  expect(text).toContain(`"span":{"id":"${spanId}"}`);
  expect(text).toContain('"posture":{"check":"local-auth-disabled"');
  expect(text).not.toContain(leaked.split("accesskey=")[1] ?? "never");
  const result = await verifyLog([audit], { publicKey: publicKey.export({ type: "spki", format: "pem" }).toString() });
  if (result.reasons.length > 0)
    console.log(
      text
        .trim()
        .split("\n")
        .slice(-4)
        .map((l) => l.slice(0, 400))
        .join("\n"),
    );
  expect(result.reasons).toEqual([]);
  expect(result).toMatchObject({ status: "intact", closed: true });
});
