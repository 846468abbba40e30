import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  baselineControls,
  renderBaselineJson,
  renderBaselineMarkdown,
} from "../../packages/acs-baseline/src/baseline/index.js";
import { runCli } from "../../packages/cli/src/main.js";
import type { BaselineViolationCode } from "../../packages/acs-baseline/src/errors.js";
import { baselineControlForCode } from "../../packages/acs-baseline/src/errors.js";
import { runCaptured } from "../support/captureOutput.js";

const ROOT = join(__dirname, "..", "..");
const seed = readFileSync(join(__dirname, "fixtures", "seed-controls.txt"), "utf8")
  .split("\n")
  .filter((l) => l.length > 0 && !l.startsWith("#"))
  .map((l) => {
    const [id, supported] = l.split("\t");
    return { id: id, supported: supported.split(",").map((s) => s === "True") };
  });

const CODES: BaselineViolationCode[] = [
  "CONNECTION_STRING_REFUSED",
  "KEY_CREDENTIAL_REFUSED",
  "INSECURE_ENDPOINT",
  "ENDPOINT_NOT_ALLOWED",
  "CREDENTIAL_NOT_CONFIGURED",
  "SECRET_FALLBACK_DISABLED",
  "CERTIFICATE_INVALID",
  "CERTIFICATE_EXPIRED",
  "KEY_AUTH_BLOCKED",
  "AUTHORITY_NOT_ALLOWED",
  "AUDIT_LOGGER_INCOMPATIBLE",
  "AUDIT_DESTINATION_REFUSED",
  "AUDIT_WRITE_FAILED",
  "LOCAL_AUTH_ENABLED",
  "CUSTOM_TRANSPORT_REFUSED",
  "TLS_VERIFICATION_DISABLED",
  "USE_CREATE_CHAT_CLIENT",
  "POSTURE_UNVERIFIED",
  "CLIENT_OPTION_NOT_ALLOWED",
  "AUTHORITY_SAME_ORIGIN",
  "AUTHORITY_UNRESOLVED",
  "ENDPOINT_NOT_CONFIGURED",
  "TLS_CERTIFICATE_NOT_TRUSTED",
];

async function report(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCaptured((io) => runCli(["report", ...args], { ...io, env: {}, cwd: ROOT, stderrIsTTY: false }));
}

describe("baseline map", () => {
  it("has every control of the seed, in the seed's order, with the seed's Supported values", () => {
    expect(baselineControls.map((c) => c.id)).toEqual(seed.map((s) => s.id));
    for (const { id, supported } of seed) {
      const control = baselineControls.find((c) => c.id === id)!;
      expect(
        control.features.map((f) => f.supported),
        id,
      ).toEqual(supported);
    }
  });

  it("statuses are consistent with the service and with the code", () => {
    for (const c of baselineControls) {
      const anySupported = c.features.some((f) => f.supported);
      if (c.status === "not-applicable") {
        expect(anySupported, `${c.id} is not-applicable but the service supports a feature`).toBe(false);
        expect(c.sources, c.id).toEqual([]);
      } else {
        expect(c.sources.length, `${c.id} names no source`).toBeGreaterThan(0);
      }
      if (anySupported && c.features.some((f) => f.supported && f.responsibility === "Customer")) {
        expect(c.status, `${c.id}: a customer responsibility the service supports must be enforced or guided`).not.toBe(
          "not-applicable",
        );
      }
      if (c.status === "enforced") expect(c.tests.length, `${c.id} has no proving test`).toBeGreaterThan(0);
    }
    // Every refusal code enforces a control the map marks as enforced.
    for (const code of CODES) {
      const control = baselineControls.find((c) => c.id === baselineControlForCode(code));
      expect(control?.status, code).toBe("enforced");
    }
  });

  it("points only at files that exist", () => {
    for (const c of baselineControls) {
      for (const path of [...c.sources, ...c.tests])
        expect(existsSync(join(ROOT, path)), `${c.id}: ${path}`).toBe(true);
    }
  });

  it("docs/baseline.md is generated from the data (regenerate: node packages/cli/dist/esm/bin.js report --format md > docs/baseline.md)", () => {
    expect(readFileSync(join(ROOT, "docs", "baseline.md"), "utf8")).toBe(renderBaselineMarkdown());
  });
});

describe("acs-baseline report", () => {
  it("prints Markdown by default", async () => {
    const { code, out } = await report([]);
    expect(code).toBe(0);
    expect(out).toBe(renderBaselineMarkdown());
    for (const { id } of seed) expect(out).toContain(`| ${id} |`);
  });

  it("prints JSON with --format json", async () => {
    const { code, out } = await report(["--format", "json"]);
    expect(code).toBe(0);
    expect(out).toBe(renderBaselineJson());
    const parsed = JSON.parse(out) as { controls: { id: string; status: string }[] };
    expect(parsed.controls.map((c) => c.id)).toEqual(seed.map((s) => s.id));
  });

  it("exits 2 on bad usage", async () => {
    expect((await report(["--format", "xml"])).code).toBe(2);
    expect((await report(["--nope"])).code).toBe(2);
  });
});
