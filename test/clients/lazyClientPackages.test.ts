// The factory loads each ACS client package only when the first client of its kind is created (issue 26, item 4): an
// app that only sends SMS never loads @azure/communication-identity, and importing acs-baseline loads neither. Checked
// in child processes on the built dist, in both dialects (ESM and CommonJS), against the emulator: the lazily loaded
// clients are the packages' own classes and send through the guard as before.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/useEmulator.js";

const FIXTURE = join(__dirname, "fixtures", "lazyClients.mjs");
const ctx = useEmulator();

/** Runs the fixture (asynchronously: this process serves the emulator the child talks to). */
async function runFixture(dialect: "esm" | "commonjs"): Promise<Record<string, unknown>> {
  const config = {
    endpoint: ctx.emu.endpoint,
    tenantId: ctx.emu.tenantId,
    clientId: ctx.app.clientId,
    certificatePath: ctx.app.certificatePath,
    authorityHost: ctx.emu.authorityHost,
    caCertificatePem: ctx.emu.caCertificatePem,
  };
  const child = spawn(process.execPath, [FIXTURE, dialect, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe.each(["esm", "commonjs"] as const)("ACS client packages load lazily (%s build)", (dialect) => {
  it("neither package at import or factory construction; SMS at createSmsClient; identity only at createIdentityClient", async () => {
    const steps = await runFixture(dialect);
    expect(steps).toEqual({
      imported: [],
      factory: [],
      smsClient: ["@azure/communication-sms"],
      sent: true,
      sameSmsClass: true,
      smsClientAgain: ["@azure/communication-sms"],
      identityClient: ["@azure/communication-sms", "@azure/communication-identity"],
      sameIdentityClass: true,
      userCreated: true,
    });
  });
});
