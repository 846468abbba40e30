/**
 * `acs-baseline posture`: the command against the emulator's ARM side (in process with the emulator's CA as
 * clientOptions, and once through the built bin with NODE_EXTRA_CA_CERTS), every format (SARIF validated against
 * the 2.1.0 schema), the exit codes, and well-formed --plan output.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import type AjvDraft04 from "ajv-draft-04";
import type AddFormats from "ajv-formats";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostureCommand } from "../../packages/cli/src/commands/posture.js";
import type { Emulator, EmulatorRoleAssignment, TestApplication } from "../../packages/emulator/src/index.js";
import { runCaptured } from "../support/captureOutput.js";
import { resetArm } from "../support/posture.js";
import { tempDir } from "../support/tempDir.js";
import { useEmulator } from "../support/useEmulator.js";

const require = createRequire(import.meta.url);
// CommonJS packages with a default export: load them as CommonJS.
const Ajv = (require("ajv-draft-04") as typeof AjvDraft04).default;
const addFormats = (require("ajv-formats") as typeof AddFormats).default;
const BIN = join(__dirname, "..", "..", "packages", "cli", "dist", "esm", "bin.js");
let emu: Emulator;
let app: TestApplication;
let keep: EmulatorRoleAssignment[];
const dir = tempDir("acs-posture-cli-");
useEmulator({ application: { directory: dir }, onStarted: (started) => ({ emu, app } = started) });

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AZURE_COMMUNICATION_RESOURCE_ID: emu.arm.resourceId,
  AZURE_RESOURCE_MANAGER_ENDPOINT: emu.arm.endpoint,
  AZURE_TENANT_ID: emu.tenantId,
  AZURE_CLIENT_ID: app.clientId,
  AZURE_CLIENT_CERTIFICATE_PATH: app.certificatePath,
  AZURE_AUTHORITY_HOST: emu.authorityHost,
  AZURE_COMMUNICATION_ALLOWED_AUTHORITY_HOSTS: new URL(emu.authorityHost).hostname,
  ...extra,
});

async function posture(args: string[], e: NodeJS.ProcessEnv = env()) {
  const command = createPostureCommand({
    clientOptions: { tlsOptions: { ca: emu.caCertificatePem }, retryOptions: { maxRetries: 0 } },
  });
  return runCaptured((io) => command(args, { ...io, env: e, cwd: dir, stderrIsTTY: false }));
}

function makeCompliant(): void {
  emu.arm.resource.disableLocalAuth = true;
  emu.arm.resource.identityType = "SystemAssigned";
  emu.arm.setDiagnosticSetting("all", {
    workspaceId: `/subscriptions/${emu.arm.subscriptionId}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/ws`,
    logs: [{ categoryGroup: "allLogs", enabled: true }],
  });
}

beforeAll(() => {
  keep = [emu.arm.assignRole({ principalId: app.objectId, role: "Reader" })];
});
beforeEach(() => resetArm(emu, keep));

describe("formats", () => {
  it("text: one line per check with its control, remediation under failures, a summary", async () => {
    const { code, out } = await posture(["--clients", "sms"]);
    expect(code).toBe(1);
    expect(out).toContain(`ACS resource posture: ${emu.arm.resourceId}`);
    expect(out).toMatch(/✗ IM-1 {2}local-auth-disabled: disableLocalAuth is false/);
    expect(out).toMatch(/! LT-4 {2}auth-logs: /);
    expect(out).toContain("2 pass, 2 fail, 2 warn, 0 unknown");
  });

  it("json: the acs-baseline.posture/1 document", async () => {
    const { code, out } = await posture(["--format", "json", "--data-location", "Europe"]);
    expect(code).toBe(1);
    const doc = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(["schema", "resourceId", "checkedAt", "principal", "checks", "summary"]);
    expect(doc).toMatchObject({
      schema: "acs-baseline.posture/1",
      principal: { tenantId: emu.tenantId, clientId: app.clientId, objectId: app.objectId },
      summary: { pass: 2, fail: 3, warn: 2, unknown: 0 },
    });
    for (const c of doc.checks as Record<string, unknown>[])
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining(["id", "control", "status", "title", "evidence", "remediation"]),
      );
  });

  it("sarif: valid against the SARIF 2.1.0 schema, results located at the resource as a logical location", async () => {
    const { code, out } = await posture(["--format", "sarif"]);
    expect(code).toBe(1);
    const sarif = JSON.parse(out) as {
      runs: {
        results: {
          ruleId: string;
          level: string;
          locations: { logicalLocations: { fullyQualifiedName: string }[] }[];
        }[];
      }[];
    };
    const schema = JSON.parse(
      readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
    ) as object;
    // The published schema's "language" pattern is not valid with the u flag, so patterns are compiled without it.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const { version } = JSON.parse(readFileSync(join(__dirname, "../../packages/cli/package.json"), "utf8")) as {
      version: string;
    };
    expect((sarif.runs[0] as unknown as { tool: { driver: { version: string } } }).tool.driver.version).toBe(version);
    const results = sarif.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ["acs-baseline/posture/local-auth-disabled", "error"],
      ["acs-baseline/posture/resource-logs", "error"],
      ["acs-baseline/posture/auth-logs", "warning"],
      ["acs-baseline/posture/managed-identity", "warning"],
    ]);
    for (const r of results) expect(r.locations[0]?.logicalLocations[0]?.fullyQualifiedName).toBe(emu.arm.resourceId);
    // The schema check is not vacuous: a result without a message is rejected.
    const broken = structuredClone(sarif) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete broken.runs[0]?.results[0]?.message;
    expect(validate(broken)).toBe(false);
  });
});

describe("hostile ARM content", () => {
  it("escapes control characters from ARM (a role name with terminal escapes) and never prints a token", async () => {
    const evil = emu.arm.defineRole({ roleName: "Evil\u001b[2J\u001b[31mrole\u0007", actions: ["*"] });
    emu.arm.assignRole({
      principalId: "99999999-9999-9999-9999-999999999999",
      role: evil.name,
      scope: "resourceGroup",
    });
    const { out } = await posture(["--plan", "bicep"]);
    // eslint-disable-next-line no-control-regex -- the point is to find raw control characters
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(out).toContain("Evil\\u{001b}[2J");
    expect(out).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    const json = await posture(["--format", "json"]);
    expect(json.out).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });
});

describe("exit codes", () => {
  it("0 when nothing fails; warn and unknown count only with --strict", async () => {
    makeCompliant();
    expect((await posture([])).code).toBe(0);
    emu.arm.resource.identityType = "None"; // managed-identity: warn
    expect((await posture([])).code).toBe(0);
    expect((await posture(["--strict"])).code).toBe(1);
    emu.arm.resource.identityType = "SystemAssigned";
    emu.injectFault({ side: "arm", path: /roleDefinitions/i, status: 403 }); // key access and app roles: unknown
    const r = await posture(["--format", "json"]);
    expect(JSON.parse(r.out)).toMatchObject({ summary: { fail: 0, unknown: 2 } });
    expect(r.code).toBe(0);
    expect((await posture(["--strict"])).code).toBe(1);
  });

  it("1 when a check fails; 2 for bad usage or configuration, with nothing sent to ARM", async () => {
    expect((await posture([])).code).toBe(1);
    const before = emu.stats.armRequests;
    for (const [args, e, message] of [
      [["--format", "xml"], env(), "--format must be"],
      [["--plan", "terraform"], env(), "--plan must be"],
      [["--bogus"], env(), "Unknown option"],
      [[], env({ AZURE_COMMUNICATION_RESOURCE_ID: undefined }), "no resource id"],
      [["--resource-id", "/subscriptions/x"], env(), "The resource ID must be"],
      [["--arm-endpoint", "http://127.0.0.1:1"], env(), "https"],
      [["--clients", "sms,fax"], env(), 'Unknown client type "fax"'],
      [[], env({ AZURE_CLIENT_CERTIFICATE_PATH: undefined }), "CREDENTIAL_NOT_CONFIGURED"],
      [["--plan", "az", "--workspace-id", "not-an-id"], env(), "--workspace-id must be"],
    ] as const) {
      const r = await posture([...args], e);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain(message);
    }
    expect(emu.stats.armRequests).toBe(before);
  });
});

/** A structural check of Bicep: balanced brackets outside strings, declarations, and no undeclared identifiers in scope/param use. */
function checkBicep(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const pairs: Record<string, string> = { "}": "{", "]": "[", ")": "(" };
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === "'") inString = false;
      continue;
    }
    if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (ch === "'") inString = true;
    else if ("{[(".includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) problems.push(`unbalanced ${ch} at ${i}`);
  }
  if (stack.length > 0 || inString) problems.push("unclosed bracket or string");
  const declared = new Set<string>();
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t.startsWith("//") || t.length === 0) continue;
    const decl = /^(param|var|resource)\s+([A-Za-z_]\w*)\s/.exec(t);
    if (decl !== null) {
      if (
        decl[1] === "resource" &&
        !/^resource \w+ '[A-Za-z.]+\/[A-Za-z./]+@\d{4}-\d{2}-\d{2}(-preview)?'( existing)? = \{$/.test(t)
      )
        problems.push(`bad resource line: ${t}`);
      if (decl[1] === "param" && !/^param \w+ (string|bool|int|object|array)( = .+)?$/.test(t))
        problems.push(`bad param line: ${t}`);
      declared.add(decl[2]);
    }
    if (/,\s*$/.test(t)) problems.push(`trailing comma (Bicep separates by newlines): ${t}`);
    const ref = /^(scope|workspaceId|principalId|roleDefinitionId):\s+([A-Za-z_]\w*)(\.id)?$/.exec(t);
    if (ref !== null && !declared.has(ref[2])) problems.push(`undeclared ${ref[2]}`);
  }
  return problems;
}

describe("--plan", () => {
  beforeEach(() => {
    emu.arm.assignRole({ principalId: app.objectId, role: "Contributor", scope: "resourceGroup" }); // app-principal fails too
  });
  const WS =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/ws";

  it("bicep: structurally valid, sets disableLocalAuth with api-version ≥ 2025-05-01, allLogs to the workspace, the custom role and its assignment", async () => {
    const { code, out } = await posture(["--plan", "bicep", "--workspace-id", WS]);
    expect(code).toBe(1);
    const bicep = out.slice(out.indexOf("// acs-baseline posture plan"));
    expect(checkBicep(bicep)).toEqual([]);
    expect(checkBicep("resource x 'A/b@2020-01-01' = {\n  scope: nope\n")).not.toEqual([]); // the checker can fail
    const version = /communicationServices@(\d{4}-\d{2}-\d{2})/.exec(bicep)?.[1] ?? "";
    expect(version >= "2025-05-01").toBe(true);
    expect(bicep).toContain("disableLocalAuth: true");
    expect(bicep).toContain(`param workspaceId string = '${WS}'`);
    expect(bicep).toContain("categoryGroup: 'allLogs'");
    expect(bicep).toContain(`param appPrincipalId string = '${app.objectId}'`);
    expect(bicep).toMatch(/resource senderAssignment 'Microsoft\.Authorization\/roleAssignments@2022-04-01' = \{/);
    expect(bicep).not.toMatch(/ListKeys\/action'\n\s+\]\n\s+notActions/); // listKeys only ever under notActions
  });

  it("arm: parses as a deployment template with the three fixes", async () => {
    const { out } = await posture(["--plan", "arm", "--workspace-id", WS]);
    const template = JSON.parse(out.slice(out.indexOf("\n{") + 1)) as {
      $schema: string;
      resources: { type: string; apiVersion: string; properties: Record<string, unknown>; scope?: string }[];
      parameters: Record<string, { defaultValue?: string }>;
    };
    expect(template.$schema).toContain("deploymentTemplate.json");
    expect(template.resources.map((r) => r.type)).toEqual([
      "Microsoft.Communication/communicationServices",
      "Microsoft.Insights/diagnosticSettings",
      "Microsoft.Authorization/roleDefinitions",
      "Microsoft.Authorization/roleAssignments",
    ]);
    expect(template.resources[0]).toMatchObject({ apiVersion: "2025-09-01", properties: { disableLocalAuth: true } });
    expect(template.resources[1]).toMatchObject({
      scope: `Microsoft.Communication/communicationServices/${emu.arm.resourceId.split("/").pop()}`,
      properties: { logs: [{ categoryGroup: "allLogs", enabled: true }] },
    });
    expect(template.parameters.workspaceId?.defaultValue).toBe(WS);
    expect(template.parameters.appPrincipalId?.defaultValue).toBe(app.objectId);
  });

  it("az: commands only (comments, az, continuations), the PATCH body parses, and a compliant resource needs no fix", async () => {
    const { out } = await posture(["--plan", "az", "--workspace-id", WS]);
    const script = out.slice(out.indexOf("#!/usr/bin/env bash"));
    const lines = script.split("\n").filter((l) => l.trim().length > 0);
    let continued = false;
    for (const l of lines) {
      expect(continued || /^(#|az |set -euo pipefail$|WORKSPACE_ID=)/.test(l), l).toBe(true);
      continued = l.endsWith("\\");
    }
    expect(script).toContain(
      `az rest --method patch --url '${emu.arm.endpoint}${emu.arm.resourceId}?api-version=2025-09-01'`,
    );
    const body = /--body '([^']+)'/.exec(script)?.[1] ?? "";
    expect(JSON.parse(body)).toEqual({ properties: { disableLocalAuth: true } });
    expect(script).toContain("az monitor diagnostic-settings create");
    expect(script).toContain("az role assignment create");
    makeCompliant();
    emu.arm.removeRoleAssignment(emu.arm.roleAssignments.at(-1)?.id ?? "");
    const none = await posture(["--plan", "az"]);
    expect(none.code).toBe(0);
    expect(none.out).not.toContain("az rest");
  });
});

describe("the built bin (child process, NODE_EXTRA_CA_CERTS)", () => {
  it("runs posture --format json from the environment and exits 1 on failures", async () => {
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, emu.caCertificatePem);
    const r = await promisify(execFile)(process.execPath, [BIN, "posture", "--format", "json"], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: ca, ...env() },
    }).then(
      (x) => ({ code: 0, out: x.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ schema: "acs-baseline.posture/1", summary: { unknown: 0 } });
  });
});
