// `doctor --help` says what the tls verification line checks: that NODE_TLS_REJECT_UNAUTHORIZED=0 is not set, failing
// (✗, exit 1) when it is — the behaviour test/cli/doctor.test.ts checks ("fails when NODE_TLS_REJECT_UNAUTHORIZED=0 …").
import { describe, expect, it } from "vitest";
import { runCli } from "../../packages/cli/src/main.js";
import { runCaptured } from "../support/captureOutput.js";

async function help(): Promise<string> {
  const { code, out } = await runCaptured((io) =>
    runCli(["doctor", "--help"], { ...io, env: {}, cwd: process.cwd(), stderrIsTTY: false }),
  );
  expect(code).toBe(0);
  return out.replace(/\s+/g, " ");
}

describe("doctor --help: the TLS check", () => {
  it("says it checks that NODE_TLS_REJECT_UNAUTHORIZED=0 is not set, and fails (✗, exit 1) when it is", async () => {
    const text = await help();
    expect(text).toContain("checks that NODE_TLS_REJECT_UNAUTHORIZED=0 is not set");
    expect(text).toContain("the tls verification line fails (✗, exit 1) when it is");
    expect(text).not.toContain("does not switch TLS certificate verification off");
  });
});
