// The attack: the limits that keep a file away from the native parser in the scanning process (10,000 characters,
// 1,000 `<`) were measured on an 8 MiB stack, and the depth at which the parser overflows shrinks with the stack. With
// `ulimit -s 1024` (a container, a CI runner) a 9,000-character `a=>a=>…` or a 9,800-character `a:a:…` crashed the
// whole scan (SIGSEGV, no output). The limits now shrink with the main thread's stack: such files go to the parser
// sandbox, whose crash is a parse-error finding. Below about 1 MiB V8's own limit for JavaScript is above the real
// stack, and a template nested 50,000 deep crashed the scan too: such a template is now not analysed there. Uses the
// build (npm run build), as the sandbox does.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_IN_PROCESS_ANGLES, MAX_IN_PROCESS_CHARS } from "../../packages/cli/src/scan/code/sandboxRisk.js";
import type { ScanFinding } from "../../packages/cli/src/scan/scan.js";
import { BUILT_ESM } from "../support/builtCli.js";
import { tempDir } from "../support/tempDir.js";

const ACS = `import { SmsClient } from "@azure/communication-sms";\n`;
const DEEP: Record<string, string> = {
  "arrows.js": `${ACS}let x = ${"a=>".repeat(3_000)}1;\n`,
  "labels.js": `${ACS}${"a:".repeat(4_900)}{}\n`,
  "angles.ts": `${ACS}let x = ${"a<".repeat(990)};\n`,
  "parens.js": `${ACS}let x = ${"(".repeat(990)};\n`,
};
const RESOURCE = `resource acs 'Microsoft.Communication/communicationServices@2023-04-01' = {\n  name: 'acs'\n`;
/** Templates the analysers recurse into 50,000 deep: V8's own limit is above a 512 KiB stack. */
const DEEP_TEMPLATES: Record<string, string> = {
  "deep.bicep": `${RESOURCE}  properties: ${"{a: ".repeat(50_000)}1${"}".repeat(50_000)}\n}\n`,
  "deep.tf": `resource "azurerm_communication_service" "a" {\n  x = ${"[".repeat(50_000)}${"]".repeat(50_000)}\n}\n`,
};
const dir = tempDir("acs-small-stack-");
for (const [name, text] of Object.entries({ ...DEEP, ...DEEP_TEMPLATES })) writeFileSync(join(dir, name), text);
writeFileSync(join(dir, "app.ts"), `${ACS}export const sms = new SmsClient(process.env.ACS_CONNECTION_STRING);\n`);
// An ordinary template: still analysed on a small stack (an old API version cannot disable local auth).
writeFileSync(join(dir, "acs.bicep"), `${RESOURCE}  location: 'global'\n}\n`);
const TOO_DEEP =
  "The template could not be analysed (nested too deep for this process's stack); only its text was searched.";

/** Runs `node …args` in `dir` under `ulimit -s kib` (the main thread's stack). */
function withStack(kib: number, args: string[]) {
  const quoted = args.map((a) => `'${a}'`).join(" ");
  return spawnSync("/bin/sh", ["-c", `ulimit -s ${kib} && exec '${process.execPath}' ${quoted}`], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe.skipIf(process.platform === "win32")("a scan on a small stack", () => {
  it("shrinks the in-process limits with the stack (an eighth on 1 MiB)", () => {
    const module = JSON.stringify(join(BUILT_ESM, "scan/code/sandboxRisk.js"));
    const script = `import(${module}).then((m) => console.log(JSON.stringify(m.inProcessLimits())))`;
    const limits = (kib: number) => JSON.parse(withStack(kib, ["-e", script]).stdout) as unknown;
    expect(limits(8192)).toEqual({ chars: MAX_IN_PROCESS_CHARS, angles: MAX_IN_PROCESS_ANGLES });
    expect(limits(1024)).toEqual({ chars: MAX_IN_PROCESS_CHARS / 8, angles: MAX_IN_PROCESS_ANGLES / 8 });
    expect(limits(65536)).toEqual({ chars: MAX_IN_PROCESS_CHARS, angles: MAX_IN_PROCESS_ANGLES });
  });

  for (const kib of [1024, 512, 256]) {
    it(`never crashes the scanning process with ulimit -s ${kib}: each deep file is a parse-error finding`, () => {
      const run = withStack(kib, [join(BUILT_ESM, "bin.js"), "scan", ".", "--format", "json", "--jobs", "1"]);
      expect(run.signal).toBeNull();
      expect(run.stderr).toBe("");
      expect(run.status).toBe(1); // app.ts's key auth
      const findings = (JSON.parse(run.stdout) as { findings: ScanFinding[] }).findings;
      const byRule = (ruleId: string) => findings.filter((f) => f.ruleId === ruleId).map((f) => f.file);
      expect(byRule("acs-baseline/no-key-auth")).toEqual(["app.ts"]);
      expect(byRule("acs-baseline/iac/local-auth-enabled")).toEqual(["acs.bicep"]);
      for (const name of Object.keys(DEEP_TEMPLATES))
        expect(findings.find((f) => f.file === name && f.ruleId === "acs-baseline/parse-error")?.message).toBe(
          TOO_DEEP,
        );
      // Whether a deep file crashed the sandbox's child or parsed there, it is reported (never dropped).
      for (const name of ["arrows.js", "labels.js"]) expect(byRule("acs-baseline/parse-error")).toContain(name);
    }, 120_000);
  }
});
