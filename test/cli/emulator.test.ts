import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { AcsClientFactory } from "../../packages/acs-baseline/src/index.js";

const BIN = join(__dirname, "..", "..", "packages", "cli", "dist", "esm", "bin.js");

describe("acs-baseline emulator (CLI)", () => {
  it("prints the environment, serves the SDK and posture (--baseline-resource), and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [BIN, "emulator", "--baseline-resource"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const env: Record<string, string> = {};
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      lines.on("line", (line) => {
        const m = /^export (\w+)=(.*)$/.exec(line);
        if (m) env[m[1]] = m[2]!;
        if (m?.[1] === "NODE_EXTRA_CA_CERTS") resolve();
      });
      child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
    });
    // The printed environment allows the emulator's own authority, and nothing more.
    expect(env.AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS).toBe("localhost");
    expect(Object.keys(env).sort()).toEqual([
      "AZURE_AUTHORITY_HOST",
      "AZURE_CLIENT_CERTIFICATE_PATH",
      "AZURE_CLIENT_ID",
      "AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS",
      "AZURE_COMMUNICATION_ALLOWED_HOSTS",
      "AZURE_COMMUNICATION_ENDPOINT",
      "AZURE_COMMUNICATION_RESOURCE_ID",
      "AZURE_RESOURCE_MANAGER_ENDPOINT",
      "AZURE_TENANT_ID",
      "NODE_EXTRA_CA_CERTS",
    ]);
    const ca = readFileSync(env.NODE_EXTRA_CA_CERTS, "utf8");
    expect(env.AZURE_COMMUNICATION_ALLOWED_HOSTS).toBe("127.0.0.1");
    // The printed environment is all fromEnvironment needs (the CA as clientOptions: this process started without it).
    const factory = AcsClientFactory.fromEnvironment({ clientOptions: { tlsOptions: { ca } } }, env);
    const [sent] = await factory
      .createSmsClient()
      .send({ from: "+14255550100", to: ["+14255550123"], message: "via CLI emulator" });
    expect(sent?.successful).toBe(true);
    await factory.close();
    // In a new shell with the printed environment, posture passes against the baseline resource.
    const posture = await promisify(execFile)(process.execPath, [BIN, "posture"], {
      env: { PATH: process.env.PATH, ...env },
    });
    expect(posture.stdout).toContain("local-auth-disabled");
    expect(posture.stdout).not.toContain("✗"); // execFile rejects on a non-zero exit: it exited 0
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("exits 2 on bad usage", async () => {
    for (const args of [["--port", "x"], ["--bogus"], ["--token-lifetime", "0"]]) {
      const child = spawn(process.execPath, [BIN, "emulator", ...args], { stdio: "ignore" });
      expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(2);
    }
  });
});
